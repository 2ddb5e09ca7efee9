"""Case pages: the agency's case queue with the requests for assistance waiting for it, and
one case with its workflow moves, assignment, comments, tasks, requests and timeline.

Every read and change goes through :mod:`qalxan.cases` (``reading``, ``service``, ``tasks``,
``assistance``), which check the caller's reach and audit it; a case of another agency answers
the same 404 as a missing one. The forms offer only the moves the workflow allows from the
case's status; the core refuses anything else all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from qalxan.access import accounts
from qalxan.cases import assistance, reading, service, tasks
from qalxan.cases.tables import CaseRow
from qalxan.cases.workflow import workflow
from qalxan.errors import InvalidInput, QalxanError
from qalxan.web.errors import STATUS
from qalxan.web.forms import PageFormDep
from qalxan.web.routers.incident_pages import (
    FORM_ERRORS,
    Desk,
    DeskDep,
    echo,
    fields,
    see_other,
)

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 50
Id = Annotated[str, Path(min_length=1, max_length=64)]


@dataclass(frozen=True)
class Member:
    id: str
    name: str


def members(desk: Desk) -> list[Member]:
    """Who a case of the viewer's agency can be given to: its active members."""
    return [Member(c.id, c.display_name) for c in accounts.colleagues(desk.ctx)]


def names_of(desk: Desk, known: list[Member], user_ids: set[str]) -> dict[str, str]:
    """Display names of the members a case names; members who left the agency (or were
    disabled) are shown by their id."""
    return {m.id: m.name for m in known if m.id in user_ids}


def queue_page(
    desk: Desk,
    status: str = "",
    mine: str = "",
    before: str | None = None,
    *,
    error: QalxanError | None = None,
    where: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    listing_error: QalxanError | None = None
    rows: list[CaseRow] = []
    following = None
    assignee = desk.principal.user_id if mine else None
    try:
        page = reading.listing(desk.ctx, status or None, assignee, QUEUE_PAGE, before)
        rows, following = page.rows, page.next
    except InvalidInput as exc:
        listing_error = exc
    typed = {k: v for k, v in {"status": status, "mine": mine}.items() if v}
    known = members(desk)
    context = {
        "rows": rows,
        "status": status,
        "mine": mine,
        "listing_error": listing_error,
        "next_url": f"?{urlencode({**typed, 'before': following})}" if following else None,
        "first_url": f"?{urlencode(typed)}" if before else None,
        "requests": assistance.pending(desk.ctx),
        "names": names_of(desk, known, {r.assignee_id or "" for r in rows}),
        "error": error,
        "where": where,
        "values": values or {},
    }
    code = STATUS[type(error)] if error else 422 if listing_error else 200
    return desk.show("cases/queue.html", context, code)


@router.get("/cases", response_class=HTMLResponse)
def case_queue(
    desk: DeskDep,
    status: Annotated[str, Query(max_length=16)] = "",
    mine: Annotated[str, Query(max_length=4)] = "",
    before: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    return queue_page(desk, status, mine, before)


@router.post("/cases/requests/{request_id}", response_class=HTMLResponse)
def answer_request(desk: DeskDep, form: PageFormDep, request_id: Id) -> Response:
    sizes = {"decision": 8, "answer": assistance.MAX_REQUEST}
    try:
        typed = fields(form, sizes)
        accept = typed["decision"] == "accept"
        ask = assistance.answer(desk.ctx, request_id, accept, typed["answer"] or None)
    except FORM_ERRORS as exc:
        values = echo(form, sizes)
        return queue_page(desk, error=exc, where=f"request-{request_id}", values=values)
    if ask.target_case_id:
        return see_other(f"/cases/{ask.target_case_id}?done=accepted")
    return see_other("/cases?done=declined")


def moves(status: str) -> list[dict[str, Any]]:
    """The statuses a case can move to from ``status``, and whether each needs a reason."""
    flow = workflow()
    return [
        {"to": target, "needs_reason": (status, target) in flow.needs_reason}
        for target in flow.transitions.get(status, ())
    ]


def case_page(
    desk: Desk,
    case_id: str,
    *,
    error: QalxanError | None = None,
    where: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    detail = reading.get(desk.ctx, case_id)
    case = detail.case
    known = members(desk)
    named = {case.assignee_id or "", *(t.assignee_id or "" for t in detail.tasks)}
    named |= {str(e.detail.get("to") or "") for e in detail.events if e.kind == "assigned"}
    context = {
        "detail": detail,
        "case": case,
        "moves": moves(case.status),
        "members": known,
        "names": names_of(desk, known, named),
        "agencies": [a for a in desk.doctrine.of_kind("agency") if a.id != case.owner_agency],
        "open_tasks": [t for t in detail.tasks if t.status == "open"],
        "error": error,
        "where": where,
        "values": values or {},
    }
    return desk.show("cases/case.html", context, STATUS[type(error)] if error else 200)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_detail(desk: DeskDep, case_id: Id) -> HTMLResponse:
    return case_page(desk, case_id)


def back(case_id: str, done: str, anchor: str) -> Response:
    return see_other(f"/cases/{case_id}?done={done}#{anchor}")


@router.post("/cases/{case_id}/status", response_class=HTMLResponse)
def change_status(desk: DeskDep, form: PageFormDep, case_id: Id) -> Response:
    sizes = {"status": 16, "reason": 2000}
    try:
        typed = fields(form, sizes)
        service.change_status(desk.ctx, case_id, typed["status"], typed["reason"] or None)
    except FORM_ERRORS as exc:
        return case_page(desk, case_id, error=exc, where="status", values=echo(form, sizes))
    return back(case_id, "moved", "status")


@router.post("/cases/{case_id}/assign", response_class=HTMLResponse)
def assign(desk: DeskDep, form: PageFormDep, case_id: Id) -> Response:
    try:
        service.assign(desk.ctx, case_id, fields(form, {"assignee_id": 32})["assignee_id"] or None)
    except FORM_ERRORS as exc:
        return case_page(desk, case_id, error=exc, where="assign")
    return back(case_id, "assigned", "assign")


@router.post("/cases/{case_id}/comments", response_class=HTMLResponse)
def comment(desk: DeskDep, form: PageFormDep, case_id: Id) -> Response:
    sizes = {"text": service.MAX_COMMENT}
    try:
        service.comment(desk.ctx, case_id, fields(form, sizes)["text"])
    except FORM_ERRORS as exc:
        return case_page(desk, case_id, error=exc, where="comment", values=echo(form, sizes))
    return back(case_id, "commented", "timeline")


def due(value: str, desk: Desk) -> datetime | None:
    """A task's ``datetime-local`` deadline in the installation's time zone."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=desk.zone)
    except ValueError:
        raise InvalidInput("due_at: a date and time as YYYY-MM-DDTHH:MM", "due_at") from None


@router.post("/cases/{case_id}/tasks", response_class=HTMLResponse)
def add_task(desk: DeskDep, form: PageFormDep, case_id: Id) -> Response:
    sizes = {"title": 300, "detail": tasks.MAX_DETAIL, "assignee_id": 32, "due_at": 32}
    try:
        typed = fields(form, sizes)
        tasks.add(
            desk.ctx,
            case_id,
            typed["title"],
            typed["detail"] or None,
            typed["assignee_id"] or None,
            due(typed["due_at"], desk),
        )
    except FORM_ERRORS as exc:
        return case_page(desk, case_id, error=exc, where="task", values=echo(form, sizes))
    return back(case_id, "task", "tasks")


@router.post("/cases/{case_id}/tasks/{task_id}", response_class=HTMLResponse)
def task_status(desk: DeskDep, form: PageFormDep, case_id: Id, task_id: Id) -> Response:
    try:
        tasks.set_status(desk.ctx, case_id, task_id, fields(form, {"status": 16})["status"])
    except FORM_ERRORS as exc:
        return case_page(desk, case_id, error=exc, where=f"task-{task_id}")
    return back(case_id, "task_status", "tasks")


@router.post("/cases/{case_id}/requests", response_class=HTMLResponse)
def ask_for_assistance(desk: DeskDep, form: PageFormDep, case_id: Id) -> Response:
    sizes = {"to_agency": 80, "request": assistance.MAX_REQUEST}
    try:
        typed = fields(form, sizes)
        assistance.request(desk.ctx, desk.doctrine, case_id, typed["to_agency"], typed["request"])
    except FORM_ERRORS as exc:
        return case_page(desk, case_id, error=exc, where="request", values=echo(form, sizes))
    return back(case_id, "requested", "requests")
