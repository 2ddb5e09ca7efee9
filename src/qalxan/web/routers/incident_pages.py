"""Incident pages: the queue of the incidents an agency may see, and one incident with its
reports, routing and history, where it is acknowledged, merged and split.

Every read and change goes through :mod:`qalxan.intake.incidents`, :mod:`~qalxan.intake.curation`
and :mod:`qalxan.cases.service`, which check the caller's reach and audit it; an incident out of
reach answers the same 404 as a missing one. Dates in the filters are local calendar days of the
installation's time zone, both ends included.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qalxan.access import policy
from qalxan.access.audit import Context
from qalxan.access.markings import scheme
from qalxan.access.periods import zone_of
from qalxan.access.principal import Principal
from qalxan.access.sessions import aware
from qalxan.cases import service
from qalxan.cases.workflow import workflow
from qalxan.doctrine.registry import KIND_PLURALS, Doctrine
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound, QalxanError
from qalxan.geo import admin_units
from qalxan.intake import curation, feed, grading, incidents, severity
from qalxan.intake.tables import IncidentRow, RoutingRow
from qalxan.intake.taxonomy import taxonomy
from qalxan.store.engine import session_factory
from qalxan.web.deps import DoctrineDep, SettingsDep
from qalxan.web.errors import status_of
from qalxan.web.forms import Form, PageFormDep, day_bounds
from qalxan.web.maps import country_map
from qalxan.web.page_auth import PageCtxDep
from qalxan.web.templating import render

router = APIRouter(include_in_schema=False)
FORM_ERRORS = (InvalidInput, Conflict, Forbidden)
QUEUE_PAGE = 50
# What the queue's script listens for: changes that add or move incidents in the list.
LIVE_KINDS = (
    "incident.created",
    "incident.updated",
    "incident.merged",
    "incident.split",
    "incident.split_from",
    "incident.escalated",
)
Id = Annotated[str, Path(min_length=1, max_length=64)]
Text = Annotated[str, Query(max_length=80)]
Day = Annotated[str, Query(max_length=10)]


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def fields(form: Form, sizes: dict[str, int]) -> dict[str, str]:
    """The fields' stripped text; InvalidInput naming the first one longer than its size."""
    return {name: form.text(name, size) for name, size in sizes.items()}


def echo(form: Form, sizes: dict[str, int]) -> dict[str, str]:
    """The fields as typed, cut to size, to fill a form sent back with its error."""
    return {name: str(form.data.get(name) or "").strip()[:size] for name, size in sizes.items()}


@dataclass(frozen=True)
class Desk:
    """What every intake and case page works with: the request, who acts, the doctrine in
    force and the installation's time zone."""

    request: Request
    ctx: Context
    doctrine: Doctrine
    zone: ZoneInfo

    @property
    def principal(self) -> Principal:
        return self.ctx.principal

    def at(self, value: datetime | None) -> str:
        """A stored time as the installation's clocks show it."""
        return aware(value).astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if value else ""

    def show(self, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        shell = {
            "at": self.at,
            "zone": self.zone.key,
            "agency_names": {a.id: a.name for a in self.doctrine.of_kind("agency")},
            "levels": severity.rules().levels,
            "case_statuses": workflow().statuses,
            "types": taxonomy().by_code,
            "done": self.request.query_params.get("done"),
        }
        return render(self.request, name, {**shell, **context}, status=status)


async def get_desk(
    request: Request, ctx: PageCtxDep, doctrine: DoctrineDep, settings: SettingsDep
) -> Desk:
    return Desk(request, ctx, doctrine, zone_of(settings.timezone))


DeskDep = Annotated[Desk, Depends(get_desk)]


@dataclass(frozen=True)
class QueueForm:
    """The queue's filters as typed (blank: not filtered)."""

    event_type: str = ""
    threat: str = ""
    admin1: str = ""
    status: str = ""
    mine: str = ""
    since: str = ""
    until: str = ""

    def filters(self, desk: Desk) -> incidents.Filters:
        since, until = day_bounds(self.since, self.until, desk.zone)
        return incidents.Filters(
            since=since,
            until=until,
            event_type=self.event_type or None,
            threat=self.threat or None,
            admin1=self.admin1 or None,
            agency=desk.principal.agency_id if self.mine else None,
            status=self.status or None,
        )

    def query(self, **more: str) -> str:
        return urlencode({**{k: v for k, v in asdict(self).items() if v}, **more})


def get_queue_form(
    event_type: Text = "",
    threat: Text = "",
    admin1: Annotated[str, Query(max_length=8)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    mine: Annotated[str, Query(max_length=4)] = "",
    since: Day = "",
    until: Day = "",
) -> QueueForm:
    return QueueForm(event_type, threat, admin1, status, mine, since, until)


def my_routing(desk: Desk, incident_ids: list[str]) -> dict[str, RoutingRow]:
    return incidents.routing_of(desk.ctx, incident_ids)


def overdue(route: RoutingRow, now: datetime) -> bool:
    return (
        route.acknowledged_at is None and route.ack_due is not None and aware(route.ack_due) < now
    )


def threat_choices(doctrine: Doctrine) -> list[Any]:
    """The doctrine items some event type bears on, in the doctrine's order."""
    refs = {ref for t in taxonomy().types for ref in t.bears_on}
    return [item for item in doctrine.items.values() if item.id in refs]


@router.get("/incidents", response_class=HTMLResponse)
def queue(
    desk: DeskDep,
    typed: Annotated[QueueForm, Depends(get_queue_form)],
    before: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    error: QalxanError | None = None
    rows: list[IncidentRow] = []
    following = None
    try:
        page = incidents.listing(desk.ctx, typed.filters(desk), QUEUE_PAGE, before)
        rows, following = page.rows, page.next
    except InvalidInput as exc:
        error = exc
    routes = my_routing(desk, [r.id for r in rows])
    now = datetime.now(UTC)
    context = {
        "typed": typed,
        "error": error,
        "rows": rows,
        "routes": routes,
        "overdue": {i for i, r in routes.items() if overdue(r, now)},
        "next_url": f"?{typed.query(before=following)}" if following else None,
        "first_url": f"?{typed.query()}" if before else None,
        "categories": taxonomy().categories,
        "threats": threat_choices(desk.doctrine),
        "units": admin_units(),
        "statuses": incidents.STATUSES,
        "feed_after": feed.latest_id(desk.ctx),
        "live_kinds": " ".join(LIVE_KINDS),
    }
    return desk.show("intake/queue.html", context, 422 if error else 200)


def may_change(desk: Desk, row: IncidentRow) -> bool:
    """Whether the policy lets the viewer change this incident (merge, split)."""
    if not policy.may_use(desk.principal, IncidentRow.record_type, "update"):
        return False
    with session_factory(desk.ctx.trail.engine)() as session:
        facts = policy.facts_of(session, desk.principal, row)
    return policy.decide(desk.principal, "update", facts).allowed


def filed_notice(detail: incidents.Detail, report_id: str | None) -> dict[str, Any] | None:
    """How the viewer's just-filed report came to this incident, from the incident's history."""
    if not report_id:
        return None
    for event in detail.events:
        if event.detail.get("report") != report_id:
            continue
        if event.kind == "created":
            return {"joined": False}
        if event.kind == "joined":
            return {"joined": True, "reason": event.detail.get("reason") or {}}
    return None


def incident_page(
    desk: Desk,
    incident_id: str,
    *,
    error: QalxanError | None = None,
    where: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    """One incident; ``error`` is shown beside the form ``where`` it came from."""
    detail = incidents.get(desk.ctx, incident_id)
    row = detail.incident
    kind = taxonomy().by_code.get(row.event_type)
    agency = desk.principal.agency_id
    mine = next((r for r in detail.routing if r.agency_id == agency), None)
    params = desk.request.query_params
    country = country_map()
    items = desk.doctrine.items
    context = {
        "detail": detail,
        "row": row,
        "kind": kind,
        "threats": [items[t] for t in (kind.bears_on if kind else ()) if t in items],
        "plurals": KIND_PLURALS,
        "categories": {c.code: c for c in taxonomy().categories},
        "classification": scheme().by_rank(row.classification),
        "country": country,
        "point": country.point(row.lat, row.lon),
        "district": next((d for d in country.districts if d.code == row.admin1), None),
        "my_route": mine,
        "may_acknowledge": mine is not None and policy.may_use(desk.principal, "case", "create"),
        "may_curate": row.status == "open" and may_change(desk, row),
        "may_label": policy.may_use(desk.principal, "report", "update"),
        "may_attach": policy.may_use(desk.principal, "report", "create"),
        "filed": filed_notice(detail, params.get("filed")),
        "repeated": params.get("repeated") == "1",
        "other": params.get("other", "")[:64],
        "reliability": grading.RELIABILITY,
        "credibility": grading.CREDIBILITY,
        "error": error,
        "where": where,
        "values": values or {},
    }
    status = status_of(error) if error is not None else 200
    return desk.show("intake/incident.html", context, status)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident(desk: DeskDep, incident_id: Id) -> HTMLResponse:
    return incident_page(desk, incident_id)


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge(desk: DeskDep, form: PageFormDep, incident_id: Id) -> Response:
    del form  # checked for its CSRF token
    try:
        case = service.acknowledge(desk.ctx, incident_id)
    except Forbidden as exc:
        return incident_page(desk, incident_id, error=exc, where="acknowledge")
    return see_other(f"/cases/{case.id}?done=opened")


@router.post("/incidents/{incident_id}/merge", response_class=HTMLResponse)
def merge(desk: DeskDep, form: PageFormDep, incident_id: Id) -> Response:
    sizes = {"source_id": 64, "reason": curation.MAX_REASON}
    try:
        source_id, reason = (form.text(name, size) for name, size in sizes.items())
        curation.merge(desk.ctx, incident_id, source_id, reason)
    except NotFound as exc:
        # This incident out of reach is the page's 404 (incident_page raises it again); the
        # other one missing or hidden is the form's error.
        wrong = InvalidInput(f"source_id: {exc.message}", "source_id")
        return incident_page(
            desk, incident_id, error=wrong, where="merge", values=echo(form, sizes)
        )
    except FORM_ERRORS as exc:
        return incident_page(desk, incident_id, error=exc, where="merge", values=echo(form, sizes))
    return see_other(
        f"/incidents/{incident_id}?{urlencode({'done': 'merged', 'other': source_id})}"
    )


@router.post("/incidents/{incident_id}/split", response_class=HTMLResponse)
def split(desk: DeskDep, form: PageFormDep, incident_id: Id) -> Response:
    values: dict[str, Any] = {
        "report_ids": form.many("report_ids"),
        **echo(form, {"reason": curation.MAX_REASON}),
    }
    try:
        reason = form.text("reason", curation.MAX_REASON)
        fresh = curation.split(desk.ctx, incident_id, values["report_ids"], reason)
    except FORM_ERRORS as exc:
        return incident_page(desk, incident_id, error=exc, where="split", values=values)
    return see_other(f"/incidents/{incident_id}?done=split&other={fresh.id}")
