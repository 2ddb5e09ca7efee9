"""Oversight pages for complaints: the list with deadlines, registration, one complaint and its
history, status changes. Every read and change goes through :mod:`qalxan.access.complaints`,
which audits it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from qalxan.access import complaints, policy, units
from qalxan.access.complaint_routing import Subject
from qalxan.access.complaint_rules import complaint_rules
from qalxan.access.markings import scheme
from qalxan.access.periods import as_utc
from qalxan.access.roles import catalogue
from qalxan.access.tables import ComplaintRow
from qalxan.errors import InvalidInput, NotFound, QalxanError
from qalxan.web.deps import SessionDep
from qalxan.web.errors import status_of
from qalxan.web.forms import Form, PageFormDep
from qalxan.web.routers.oversight_pages import (
    COMPLAINT,
    FORM_ERRORS,
    Here,
    HereDep,
    Text,
    see_other,
)

router = APIRouter(prefix="/oversight", include_in_schema=False)

# The registration form's fields and their longest accepted values.
FILING = {
    "kind": 32,
    "complainant": 200,
    "contact": 300,
    "description": 20_000,
    "subject_type": 32,
    "subject_id": 80,
    "agency_id": 80,
    "officer_id": 32,
}
ComplaintId = Annotated[str, Path(min_length=1, max_length=64)]


def complaint_times(zone: ZoneInfo) -> dict[str, Any]:
    """Helpers the complaint templates show times with, in the installation's zone."""

    def at(value: datetime | None) -> str:
        return as_utc(value).astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    def by(deadline: datetime) -> str:
        # A deadline is the midnight that ends its last day: show that day.
        return (as_utc(deadline).astimezone(zone) - timedelta(seconds=1)).strftime("%Y-%m-%d")

    return {"at": at, "by": by, "now": datetime.now(UTC), "missed": complaints.missed}


def complaints_page(
    here: Here,
    *,
    status: str = "",
    agency: str = "",
    error: QalxanError | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> HTMLResponse:
    principal = here.ctx.principal
    may_read = policy.may_use(principal, COMPLAINT, policy.READ)
    may_file = policy.may_use(principal, COMPLAINT, "create")
    rows: list[ComplaintRow] = []
    listing_error: QalxanError | None = None
    # A caller who may neither read nor file is refused by the listing itself (audited).
    if may_read or not may_file:
        try:
            rows = complaints.listing(here.ctx, status or None, agency or None)
        except InvalidInput as exc:
            listing_error = exc
    rules = complaint_rules()
    context = {
        "rows": rows,
        "may_read": may_read,
        "may_file": may_file,
        "status": status,
        "agency": agency,
        "listing_error": listing_error,
        "error": error,
        "values": values or {},
        "kinds": rules.kinds,
        "statuses": list(rules.statuses),
        "record_types": catalogue().record_types,
        "agencies": here.doctrine.of_kind("agency"),
        **complaint_times(here.clock.zone),
    }
    return here.show("oversight/complaints.html", context, code)


@router.get("/complaints", response_class=HTMLResponse)
def complaint_list(
    here: HereDep, status: Annotated[str, Query(max_length=24)] = "", agency: Text = ""
) -> HTMLResponse:
    return complaints_page(here, status=status, agency=agency)


def echo(form: Form, sizes: dict[str, int]) -> dict[str, str]:
    """The fields as typed, cut to size, to fill a form sent back with its error."""
    return {name: str(form.data.get(name) or "")[:size] for name, size in sizes.items()}


@router.post("/complaints", response_class=HTMLResponse)
def file_complaint(here: HereDep, form: PageFormDep) -> Response:
    try:
        value = {name: form.optional(name, size) for name, size in FILING.items()}
        filing = complaints.Filing(
            kind=value["kind"] or "",
            complainant=value["complainant"] or "",
            description=value["description"] or "",
            contact=value["contact"],
            subject=Subject(
                value["subject_type"], value["subject_id"], value["officer_id"], value["agency_id"]
            ),
        )
        filed = complaints.file(here.ctx, here.doctrine, filing, here.clock.zone)
    except FORM_ERRORS as exc:
        return complaints_page(here, error=exc, values=echo(form, FILING), code=status_of(exc))
    return see_other(f"/oversight/complaints/{filed.complaint.id}?done=filed")


def complaint_page(
    here: Here,
    session: Session,
    complaint_id: str,
    *,
    error: QalxanError | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> HTMLResponse:
    row, events = complaints.get(here.ctx, complaint_id)
    rules = complaint_rules()
    unit = None
    if row.owner_unit:
        try:
            unit = units.get(session, row.owner_unit)
        except NotFound:
            unit = None
    principal = here.ctx.principal
    context = {
        "row": row,
        "events": events,
        "unit": unit,
        "kind": rules.kinds.get(row.kind),
        "current": rules.status(row.status),
        "may_change": any(policy.may_use(principal, COMPLAINT, a) for a in ("update", "decide")),
        "classification": scheme().by_rank(row.classification),
        "record_types": catalogue().record_types,
        "done": here.request.query_params.get("done"),
        "error": error,
        "values": values or {},
        **complaint_times(here.clock.zone),
    }
    return here.show("oversight/complaint.html", context, code)


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_detail(here: HereDep, session: SessionDep, complaint_id: ComplaintId) -> HTMLResponse:
    return complaint_page(here, session, complaint_id)


@router.post("/complaints/{complaint_id}/events", response_class=HTMLResponse)
def move_complaint(
    here: HereDep, session: SessionDep, form: PageFormDep, complaint_id: ComplaintId
) -> Response:
    try:
        status, note = form.text("status", 24), form.optional("note", 20_000)
        extend = form.flag("extend")
        complaints.add_event(here.ctx, complaint_id, status, note, here.clock.zone, extend)
    except FORM_ERRORS as exc:
        values = echo(form, {"status": 24, "note": 20_000, "extend": 8})
        return complaint_page(
            here, session, complaint_id, error=exc, values=values, code=status_of(exc)
        )
    return see_other(f"/oversight/complaints/{complaint_id}?done=moved")
