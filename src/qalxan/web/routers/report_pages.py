"""Report pages: the situation report form, and what is done to one report from its incident's
page (confirming or correcting its type, attaching a file).

The form's fields become a :class:`~qalxan.intake.draft.Draft` for
:func:`~qalxan.intake.submit.submit`, the same core function as ``POST /api/v1/reports``, which
checks every field and audits the filing; the page only converts what browsers send (a local
``datetime-local`` time, numbers as text) and sends a bad field back beside its input.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qalxan.access import policy
from qalxan.access.markings import scheme
from qalxan.errors import InvalidInput, PayloadTooLarge, QalxanError
from qalxan.intake import attachments, curation, grading
from qalxan.intake import draft as drafts
from qalxan.intake.submit import submit
from qalxan.intake.tables import ReportRow
from qalxan.intake.taxonomy import taxonomy
from qalxan.web import files
from qalxan.web.auth import check_csrf
from qalxan.web.deps import ClassifierDep, SettingsDep
from qalxan.web.errors import status_of
from qalxan.web.forms import CSRF_FIELD, MAX_FIELDS, Form, PageFormDep
from qalxan.web.maps import country_map
from qalxan.web.page_auth import PageCallerDep
from qalxan.web.routers.incident_pages import (
    FORM_ERRORS,
    Desk,
    DeskDep,
    echo,
    fields,
    incident_page,
    see_other,
)

router = APIRouter(include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=64)]
# The fields of the form and their longest accepted values.
FIELDS = {
    "narrative": drafts.MAX_NARRATIVE,
    "observed_at": 32,
    "title": drafts.MAX_TITLE,
    "event_type": 64,
    "place_text": drafts.MAX_PLACE,
    "lat": 32,
    "lon": 32,
    "killed": 12,
    "injured": 12,
    "missing": 12,
    "source": drafts.MAX_SOURCE,
    "source_reliability": 1,
    "info_credibility": 1,
    "classification": 40,
    "tlp": 20,
    "damage": drafts.MAX_DAMAGE,
    "origin_ref": 120,
}
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def observed(value: str, desk: Desk) -> datetime:
    """A ``datetime-local`` value, which browsers send without an offset, in the installation's
    time zone."""
    if not value:
        raise InvalidInput("observed_at: say when it happened", "observed_at")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "observed_at: a date and time as YYYY-MM-DDTHH:MM", "observed_at"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=desk.zone)


def number(value: str, field: str) -> float | None:
    if not value:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise InvalidInput(f"{field}: a number in decimal degrees, e.g. 40.41", field) from None


def whole(value: str, field: str) -> int:
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{field}: a whole number from 0", field) from None


def draft_of(values: dict[str, str], desk: Desk) -> drafts.Draft:
    """The draft a filled form describes; the core checks everything else."""
    credibility = values["info_credibility"]
    return drafts.Draft(
        narrative=values["narrative"],
        observed_at=observed(values["observed_at"], desk),
        title=values["title"] or None,
        event_type=values["event_type"] or None,
        place_text=values["place_text"] or None,
        lat=number(values["lat"], "lat"),
        lon=number(values["lon"], "lon"),
        source=values["source"] or None,
        source_reliability=values["source_reliability"] or None,
        info_credibility=whole(credibility, "info_credibility") if credibility else None,
        killed=whole(values["killed"], "killed"),
        injured=whole(values["injured"], "injured"),
        missing=whole(values["missing"], "missing"),
        damage=values["damage"] or None,
        classification=values["classification"] or "unclassified",
        tlp=values["tlp"] or None,
        origin_ref=values["origin_ref"] or None,
    )


def form_page(
    desk: Desk, values: dict[str, str] | None = None, error: QalxanError | None = None
) -> HTMLResponse:
    policy.require(desk.principal, ReportRow.record_type, "create")
    now = datetime.now(desk.zone).strftime(LOCAL_MINUTE)
    fresh = {"observed_at": now, "classification": "unclassified", "tlp": "AMBER"}
    # A fresh token per form: sending the same form twice (a double click, a reload) stores the
    # report once, as the API does for a repeated origin_ref.
    fresh["origin_ref"] = f"form:{secrets.token_urlsafe(16)}"
    context = {
        "values": values or fresh,
        "error": error,
        "categories": taxonomy().categories,
        "event_types": taxonomy().types,
        "reliability": grading.RELIABILITY,
        "credibility": grading.CREDIBILITY,
        "clearances": [c for c in scheme().classifications if c.rank <= desk.principal.clearance],
        "tlps": scheme().tlp,
        "country": country_map(),
    }
    status = status_of(error) if error is not None else 200
    return desk.show("intake/report_form.html", context, status)


@router.get("/reports/new", response_class=HTMLResponse)
def new_report(desk: DeskDep) -> HTMLResponse:
    return form_page(desk)


@router.post("/reports/new", response_class=HTMLResponse)
def file_report(desk: DeskDep, form: PageFormDep, classifier: ClassifierDep) -> Response:
    values = echo(form, FIELDS)
    try:
        stored = submit(desk.ctx, desk.doctrine, classifier, draft_of(fields(form, FIELDS), desk))
    except FORM_ERRORS as exc:
        return form_page(desk, values, exc)
    repeated = "&repeated=1" if stored.repeated else ""
    return see_other(f"/incidents/{stored.incident_id}?filed={stored.report_id}{repeated}")


@router.post("/incidents/{incident_id}/reports/{report_id}/label", response_class=HTMLResponse)
def label(desk: DeskDep, form: PageFormDep, incident_id: Id, report_id: Id) -> Response:
    values = echo(form, {"event_type": 64})
    try:
        event_type = form.text("event_type", 64)
        curation.label(desk.ctx, report_id, event_type, form.optional("note", curation.MAX_REASON))
    except FORM_ERRORS as exc:
        return incident_page(
            desk, incident_id, error=exc, where=f"label-{report_id}", values=values
        )
    return see_other(f"/incidents/{incident_id}?done=labelled#report-{report_id}")


async def upload_form(request: Request, caller: PageCallerDep) -> Form:
    """A posted form with at most one file, refused (403) without the session's CSRF token
    (:class:`~qalxan.web.forms.Form` refuses files; this is the one page that takes one)."""
    data = await request.form(max_files=1, max_fields=MAX_FIELDS)
    sent = data.get(CSRF_FIELD)
    check_csrf(request, caller, sent if isinstance(sent, str) else None)
    return Form(data)


@router.post("/incidents/{incident_id}/reports/{report_id}/attachments")
async def attach(
    desk: DeskDep,
    settings: SettingsDep,
    form: Annotated[Form, Depends(upload_form)],
    incident_id: Id,
    report_id: Id,
) -> Response:
    upload = form.data.get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise InvalidInput("file: choose a file to attach", "file")
        data = await upload.read(settings.attachment_max_bytes + 1)
        row = await run_in_threadpool(
            attachments.add,
            desk.ctx,
            files.blobs(settings),
            ReportRow,
            report_id,
            upload.filename or "",
            upload.content_type or "",
            data,
            settings.attachment_max_bytes,
        )
    except (*FORM_ERRORS, PayloadTooLarge) as exc:
        where = f"attach-{report_id}"
        return await run_in_threadpool(incident_page, desk, incident_id, error=exc, where=where)
    return see_other(
        f"/incidents/{incident_id}?done=attached&other={row.id}&report={report_id}"
        f"#report-{report_id}"
    )
