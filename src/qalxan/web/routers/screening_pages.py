"""Screening pages for screening officers: the console (one party screened against the lists
that may serve a use), the review queue of open hits, and one hit with its decision form. The
batch pages are :mod:`screening_batch_pages`, included here.

Every screening, read and decision goes through :mod:`qalxan.screening` (``service.screen``,
``hits.review_queue``, ``hits.get``, ``hits.decide``), which checks the caller's permission and
audits it; a hit the caller may not see answers the same 404 as a missing one. A match is a lead
for the officer's decision, never a refusal: the pages say so and decide nothing themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from followthemoney.types import registry

from qalxan.access import policy
from qalxan.errors import InvalidInput, QalxanError
from qalxan.screening import hits, lists, service, versions
from qalxan.screening.query import MAX_NAME_LENGTH
from qalxan.screening.query import Query as Screened
from qalxan.web.deps import ScreeningDep
from qalxan.web.errors import STATUS
from qalxan.web.forms import PageFormDep
from qalxan.web.routers import screening_batch_pages
from qalxan.web.routers.incident_pages import FORM_ERRORS, Desk, DeskDep, echo, fields, see_other

router = APIRouter(include_in_schema=False)
router.include_router(screening_batch_pages.router)
QUEUE_PAGE = 50
TOP = 10
# What an officer screens: a person, company, vessel or aircraft (a legal entity is the
# search's, not the console's).
SCHEMATA = ("Person", "Organization", "Company", "Vessel", "Airplane")
GENDERS = ("male", "female", "other")
FIELDS = {
    "name": MAX_NAME_LENGTH,
    "schema": 16,
    "birth_date": 32,
    "nationality": 80,
    "gender": 16,
    "identifier": 100,
    "use": 16,
}
HitId = Annotated[str, Path(min_length=1, max_length=64)]


def cleaned(
    value: str, field: str, clean: Callable[[str], str | None], expected: str
) -> tuple[str, ...]:
    """A typed value as the matcher compares it (none when blank); InvalidInput naming the
    field when it is not ``expected``."""
    if not value:
        return ()
    found = clean(value)
    if found is None:
        raise InvalidInput(f"{field}: {value!r} is not {expected}", field)
    return (found,)


def query_of(values: dict[str, str]) -> Screened:
    """The party the console's form describes; the core checks the name and the schema."""
    schema = values["schema"] or "Person"
    if schema not in SCHEMATA:
        raise InvalidInput(f"schema: one of {', '.join(SCHEMATA)}", "schema")
    genders = cleaned(values["gender"], "gender", registry.gender.clean, "male, female or other")
    return Screened(
        key="console",
        names=(values["name"],),
        schema=schema,
        birth_dates=cleaned(
            values["birth_date"], "birth_date", registry.date.clean, "a date (YYYY[-MM[-DD]])"
        ),
        nationalities=cleaned(
            values["nationality"], "nationality", registry.country.clean, "a country"
        ),
        gender=genders[0] if genders else None,
        identifiers=(values["identifier"],) if values["identifier"] else (),
    )


def console_page(
    desk: Desk,
    values: dict[str, str] | None = None,
    screening: service.Screening | None = None,
    error: QalxanError | None = None,
) -> HTMLResponse:
    policy.require(desk.principal, service.RECORD_TYPE, "create")
    uses = lists.uses()
    context = {
        "values": values or {"schema": "Person", "use": uses[0]},
        "screening": screening,
        "error": error,
        "schemata": SCHEMATA,
        "genders": GENDERS,
        "uses": uses,
    }
    return desk.show("screening/console.html", context, STATUS[type(error)] if error else 200)


@router.get("/screening", response_class=HTMLResponse)
def console(desk: DeskDep) -> HTMLResponse:
    return console_page(desk)


@router.post("/screening", response_class=HTMLResponse)
def screen(desk: DeskDep, form: PageFormDep, holder: ScreeningDep) -> HTMLResponse:
    values = echo(form, FIELDS)
    try:
        typed = fields(form, FIELDS)
        done = service.screen(desk.ctx, holder, query_of(typed), typed["use"], top=TOP)
    except FORM_ERRORS as exc:
        return console_page(desk, values, error=exc)
    return console_page(desk, values, done)


@router.get("/screening/hits", response_class=HTMLResponse)
def review_queue(
    desk: DeskDep,
    use: Annotated[str, Query(max_length=16)] = "",
    before: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    listing_error: InvalidInput | None = None
    rows: list[hits.QueueItem] = []
    following = None
    try:
        page = hits.review_queue(desk.ctx, use or None, QUEUE_PAGE, before)
        rows, following = page.rows, page.next
    except InvalidInput as exc:
        listing_error = exc
    typed = {"use": use} if use else {}
    context = {
        "rows": rows,
        "use": use,
        "uses": lists.uses(),
        "listing_error": listing_error,
        "next_url": f"?{urlencode({**typed, 'before': following})}" if following else None,
        "first_url": f"?{urlencode(typed)}" if before else None,
    }
    return desk.show("screening/queue.html", context, 422 if listing_error else 200)


def hit_page(
    desk: Desk,
    holder: ScreeningDep,
    hit_id: str,
    values: dict[str, str] | None = None,
    error: QalxanError | None = None,
) -> HTMLResponse:
    detail = hits.get(desk.ctx, hit_id)
    context = {
        "detail": detail,
        "hit": detail.hit,
        "query": detail.subject.query,
        "entry": versions.entry(holder.engine, detail.hit.entity_id),
        "can_decide": desk.principal.scope(service.RECORD_TYPE, "decide") is not None,
        "values": values or {},
        "error": error,
    }
    return desk.show("screening/hit.html", context, STATUS[type(error)] if error else 200)


@router.get("/screening/hits/{hit_id}", response_class=HTMLResponse)
def hit_detail(desk: DeskDep, holder: ScreeningDep, hit_id: HitId) -> HTMLResponse:
    return hit_page(desk, holder, hit_id)


@router.post("/screening/hits/{hit_id}", response_class=HTMLResponse)
def decide(desk: DeskDep, form: PageFormDep, holder: ScreeningDep, hit_id: HitId) -> Response:
    sizes = {"disposition": 16, "reason": hits.MAX_REASON}
    try:
        typed = fields(form, sizes)
        hits.decide(desk.ctx, hit_id, typed["disposition"], typed["reason"])
    except FORM_ERRORS as exc:
        return hit_page(desk, holder, hit_id, echo(form, sizes), exc)
    return see_other(f"/screening/hits?done={typed['disposition']}")
