"""Complaints: ``/api/v1/oversight/complaints``, filed, routed and tracked to resolution.

Filing needs ``complaint:create`` (for any agency); reading and handling go through the policy:
a complaint the caller may not see answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from qalxan.access import complaints
from qalxan.access.complaint_routing import Routing, Subject
from qalxan.access.markings import scheme
from qalxan.access.periods import zone_of
from qalxan.access.tables import ComplaintEventRow, ComplaintRow
from qalxan.web.deps import CtxDep, DoctrineDep, SettingsDep

router = APIRouter(prefix="/oversight/complaints", tags=["oversight"])

ComplaintId = Annotated[str, Path(min_length=1, max_length=64)]
Id = Annotated[str | None, Field(min_length=1, max_length=80)]


class ComplaintIn(BaseModel):
    kind: Annotated[
        str, Field(max_length=32, examples=["screening_match", "record", "officer_conduct"])
    ]
    complainant: Annotated[str, Field(min_length=1, max_length=200)]
    contact: Annotated[str | None, Field(max_length=300)] = None
    description: Annotated[str, Field(min_length=1, max_length=20_000)]
    subject_type: Annotated[str | None, Field(max_length=32, examples=["screening"])] = None
    subject_id: Id = None
    officer_id: Annotated[str | None, Field(min_length=1, max_length=32)] = None
    agency_id: Annotated[
        str | None,
        Field(max_length=80, description="The agency holding the record, or the officer's"),
    ] = None


class EventIn(BaseModel):
    status: Annotated[str, Field(min_length=1, max_length=24, examples=["acknowledged"])]
    note: Annotated[str | None, Field(max_length=20_000)] = None
    extend: Annotated[
        bool, Field(description="Extend the response deadline to the extended period")
    ] = False


def complaint_out(row: ComplaintRow, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "reference": row.reference,
        "kind": row.kind,
        "status": row.status,
        "outcome": row.outcome,
        "owner_agency": row.owner_agency,
        "owner_unit": row.owner_unit,
        "classification": scheme().by_rank(row.classification).code,
        "complainant": row.complainant,
        "contact": row.contact,
        "description": row.description,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "officer_id": row.officer_id,
        "received_at": row.received_at,
        "acknowledge_by": row.acknowledge_by,
        "respond_by": row.respond_by,
        "closed_at": row.closed_at,
        "created_by": row.created_by,
        "overdue": complaints.missed(row, now or datetime.now(UTC)),
    }


def event_out(event: ComplaintEventRow) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "status": event.status,
        "note": event.note,
    }


def routing_out(routing: Routing) -> dict[str, Any]:
    return routing.to_dict()


@router.get("", summary="Complaints the caller may read, newest first")
def list_complaints(
    ctx: CtxDep,
    status: Annotated[str | None, Query(max_length=24)] = None,
    agency: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=complaints.MAX_LIST)] = 100,
) -> dict[str, Any]:
    rows = complaints.listing(ctx, status, agency, limit)
    return {"results": [complaint_out(r) for r in rows]}


@router.post("", status_code=201, summary="File a complaint; answers with its routing")
def file_complaint(
    ctx: CtxDep, doctrine: DoctrineDep, settings: SettingsDep, body: ComplaintIn
) -> dict[str, Any]:
    filing = complaints.Filing(
        kind=body.kind,
        complainant=body.complainant,
        description=body.description,
        contact=body.contact,
        subject=Subject(body.subject_type, body.subject_id, body.officer_id, body.agency_id),
    )
    filed = complaints.file(ctx, doctrine, filing, zone_of(settings.timezone))
    return {**complaint_out(filed.complaint), "routing": routing_out(filed.routing)}


@router.get("/overdue", summary="Open complaints past their acknowledgement or response deadline")
def overdue_complaints(ctx: CtxDep) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"results": [complaint_out(r, now) for r in complaints.overdue(ctx, now)]}


@router.get("/{complaint_id}", summary="One complaint with its events (the read is audited)")
def get_complaint(ctx: CtxDep, complaint_id: ComplaintId) -> dict[str, Any]:
    row, events = complaints.get(ctx, complaint_id)
    return {**complaint_out(row), "events": [event_out(e) for e in events]}


@router.post(
    "/{complaint_id}/events",
    status_code=201,
    summary="Move a complaint on (or add a note, or extend its deadline)",
)
def add_event(
    ctx: CtxDep, settings: SettingsDep, complaint_id: ComplaintId, body: EventIn
) -> dict[str, Any]:
    row, event = complaints.add_event(
        ctx, complaint_id, body.status, body.note, zone_of(settings.timezone), body.extend
    )
    return {**complaint_out(row), "event": event_out(event)}
