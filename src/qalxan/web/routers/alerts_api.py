"""The warning desk: ``/api/v1/alerts``. Every route needs a signed-in caller; an alert the
caller may not see answers 404 exactly like one that does not exist.

A draft is created or edited from the alert form as JSON (the fields of
:class:`qalxan.alerts.form.AlertForm`) or from a CAP document sent as ``application/cap+xml``.
The workflow, four eyes and channels are :mod:`qalxan.alerts.desk`'s (docs/alerts-desk.md).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from qalxan.access.sessions import aware
from qalxan.alerts import desk
from qalxan.alerts.lookup import MAX_LIMIT
from qalxan.alerts.publish import cap_path, is_active
from qalxan.alerts.rows import WAS_ISSUED
from qalxan.alerts.tables import AlertChannelRow, AlertRow, AlertStepRow
from qalxan.errors import InvalidInput, first_problem
from qalxan.web.deps import CtxDep, SettingsDep

router = APIRouter(prefix="/alerts", tags=["alerts"])

AlertId = Annotated[str, Path(min_length=1, max_length=64)]
FORM = TypeAdapter(desk.AlertForm)
XML_TYPES = ("application/cap+xml", "application/xml", "text/xml")
BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "The alert form as JSON (AlertForm), or a CAP 1.2 document.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/cap+xml": {"schema": {"type": "string"}},
        },
    }
}


class SubmitIn(BaseModel):
    note: Annotated[str | None, Field(max_length=2000)] = None


class ApproveIn(BaseModel):
    seen: Annotated[
        str | None,
        Field(
            min_length=64,
            max_length=64,
            description="The sha256 of the XML the approver read (from GET /alerts/{id})",
        ),
    ] = None


class RejectIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class CancelIn(BaseModel):
    note: Annotated[str, Field(min_length=1, max_length=2000, description="Why it is cancelled")]


class ChannelIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    adapter: Annotated[str, Field(examples=["sms", "email", "webhook"])]
    address: Annotated[str, Field(min_length=1, max_length=500)]
    languages: Annotated[list[str], Field(max_length=3, examples=[["az", "ru"]])] = []
    min_severity: Annotated[str, Field(examples=["Severe"])] = "Minor"


def alert_out(row: AlertRow) -> dict[str, Any]:
    public = row.scope == "Public" and row.state in WAS_ISSUED
    return {
        "id": row.id,
        "identifier": row.identifier,
        "sender": row.sender,
        "state": row.state,
        "active": is_active(row),
        "status": row.cap_status,
        "msg_type": row.msg_type,
        "scope": row.scope,
        "event": row.event,
        "headline": row.headline,
        "severity": row.severity,
        "urgency": row.urgency,
        "certainty": row.certainty,
        "area_desc": row.area_desc,
        "bbox": [row.min_lat, row.min_lon, row.max_lat, row.max_lon]
        if row.min_lat is not None
        else None,
        "sent": row.sent and aware(row.sent),
        "expires": row.expires and aware(row.expires),
        "supersedes": row.supersedes,
        "signed": row.signed,
        "origin": row.origin,
        "owner_agency": row.owner_agency,
        "created_by": row.created_by,
        "created_at": aware(row.created_at),
        "updated_at": aware(row.updated_at),
        "approved_by": row.approved_by,
        "approved_at": row.approved_at and aware(row.approved_at),
        "issued_by": row.issued_by,
        "issued_at": row.issued_at and aware(row.issued_at),
        "cap_url": cap_path(row.sender, row.identifier) if public else None,
    }


def detail_out(row: AlertRow, steps: list[AlertStepRow]) -> dict[str, Any]:
    return {
        **alert_out(row),
        "xml": row.xml,
        "sha256": desk.digest(row),
        "form": FORM.dump_python(desk.form_of(desk.stored_alert(row)), mode="json"),
        "steps": [
            {"step": s.step, "actor": s.actor, "at": aware(s.at), "note": s.note} for s in steps
        ],
    }


def channel_out(row: AlertChannelRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "adapter": row.adapter,
        "address": row.address,
        "languages": row.languages,
        "min_severity": row.min_severity,
        "active": row.active,
        "created_by": row.created_by,
        "created_at": aware(row.created_at),
    }


async def _body(request: Request, optional: bool = False) -> desk.AlertForm | bytes | None:
    """The alert form (JSON) or the CAP document (XML) the request carries."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data = await request.body()
    if optional and not data.strip():
        return None
    if media in XML_TYPES:
        return data
    if media not in ("application/json", ""):
        raise HTTPException(415, "send the alert form as application/json or CAP as XML")
    try:
        return FORM.validate_python(json.loads(data))
    except json.JSONDecodeError as error:
        raise InvalidInput(f"body: not JSON: {error.msg}", field="body") from error
    except ValidationError as error:
        path, problem = first_problem(error)
        field = path or "body"
        raise InvalidInput(f"{field}: {problem}", field=field) from error


@router.get("", summary="Alerts the caller may read, latest change first")
def list_alerts(
    ctx: CtxDep,
    state: Annotated[str | None, Query(max_length=16, examples=["submitted", "active"])] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    rows = desk.listing(ctx, desk.Query(state or None, limit, offset))
    return {"results": [alert_out(r) for r in rows]}


@router.post("", status_code=201, summary="Create a draft", openapi_extra=BODY_DOC)
async def create_alert(request: Request, ctx: CtxDep, settings: SettingsDep) -> dict[str, Any]:
    body = await _body(request)
    if isinstance(body, bytes):
        row = await run_in_threadpool(desk.create_from_xml, ctx, settings, body)
    else:
        assert body is not None
        row = await run_in_threadpool(desk.create, ctx, settings, body)
    return alert_out(row)


@router.get("/channels", summary="The alert channels of the caller's agency")
def list_channels(ctx: CtxDep, inactive: bool = False) -> dict[str, Any]:
    return {"results": [channel_out(c) for c in desk.list_channels(ctx, inactive)]}


@router.post("/channels", status_code=201, summary="Add an alert channel")
def create_channel(ctx: CtxDep, body: ChannelIn) -> dict[str, Any]:
    form = desk.ChannelForm(
        body.name, body.adapter, body.address, tuple(body.languages), body.min_severity
    )
    return channel_out(desk.create_channel(ctx, form))


@router.post("/channels/{channel_id}/deactivate", summary="Stop a channel taking alerts")
def deactivate_channel(ctx: CtxDep, channel_id: AlertId) -> dict[str, Any]:
    return channel_out(desk.deactivate_channel(ctx, channel_id))


@router.get("/{alert_id}", summary="One alert: its CAP XML, form and workflow history")
def get_alert(ctx: CtxDep, alert_id: AlertId) -> dict[str, Any]:
    return detail_out(*desk.steps(ctx, alert_id))


@router.put("/{alert_id}", summary="Replace a draft's content", openapi_extra=BODY_DOC)
async def edit_alert(
    request: Request, ctx: CtxDep, settings: SettingsDep, alert_id: AlertId
) -> dict[str, Any]:
    body = await _body(request)
    if isinstance(body, bytes):
        row = await run_in_threadpool(desk.edit_from_xml, ctx, settings, alert_id, body)
    else:
        assert body is not None
        row = await run_in_threadpool(desk.edit, ctx, settings, alert_id, body)
    return alert_out(row)


@router.post("/{alert_id}/submit", summary="Submit a draft for approval")
def submit_alert(ctx: CtxDep, alert_id: AlertId, body: SubmitIn | None = None) -> dict[str, Any]:
    return alert_out(desk.submit(ctx, alert_id, body.note if body else None))


@router.post("/{alert_id}/approve", summary="Approve a submitted alert (not its author)")
def approve_alert(ctx: CtxDep, alert_id: AlertId, body: ApproveIn | None = None) -> dict[str, Any]:
    return alert_out(desk.approve(ctx, alert_id, body.seen if body else None))


@router.post("/{alert_id}/reject", summary="Send an alert back to its authors, saying why")
def reject_alert(ctx: CtxDep, alert_id: AlertId, body: RejectIn) -> dict[str, Any]:
    return alert_out(desk.reject(ctx, alert_id, body.reason))


@router.post("/{alert_id}/issue", summary="Issue an approved alert")
def issue_alert(ctx: CtxDep, settings: SettingsDep, alert_id: AlertId) -> dict[str, Any]:
    return alert_out(desk.issue(ctx, settings, alert_id))


@router.post(
    "/{alert_id}/update",
    status_code=201,
    summary="Draft an Update of an issued alert (its content unless a form is sent)",
)
async def update_alert(
    request: Request, ctx: CtxDep, settings: SettingsDep, alert_id: AlertId
) -> dict[str, Any]:
    body = await _body(request, optional=True)
    if isinstance(body, bytes):
        raise HTTPException(415, "send the update's form as application/json")
    return alert_out(await run_in_threadpool(desk.update, ctx, settings, alert_id, body))


@router.post("/{alert_id}/cancel", status_code=201, summary="Draft a Cancel of an issued alert")
def cancel_alert(
    ctx: CtxDep, settings: SettingsDep, alert_id: AlertId, body: CancelIn
) -> dict[str, Any]:
    return alert_out(desk.cancel(ctx, settings, alert_id, body.note))
