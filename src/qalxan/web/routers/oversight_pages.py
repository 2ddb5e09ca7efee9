"""Oversight pages: the dashboard, the audit trail browser and complaints, under ``/oversight``.

What parliament, prosecutors and the ombudsman use. Every figure and record comes from the
core functions (:mod:`qalxan.access.oversight`, :mod:`~qalxan.access.anomalies`,
:mod:`~qalxan.access.trail_query`, :mod:`~qalxan.access.complaints`), which check the caller's
permissions and audit every read, refused attempts included; the routes parse the query or
form, call them and shape the answer. Dates in the forms are local calendar days of the
installation's time zone, both ends included.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, get_args
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from qalxan.access import anomalies, audit, complaints, oversight, policy, trail_query
from qalxan.access.audit import Context
from qalxan.access.markings import scheme
from qalxan.access.oversight import Counts
from qalxan.access.periods import Clock, Period
from qalxan.access.permits import check_audited
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, InvalidInput, QalxanError
from qalxan.web.deps import DoctrineDep
from qalxan.web.forms import PageFormDep, day_bounds, local_day
from qalxan.web.page_auth import PageCtxDep
from qalxan.web.routers.oversight_api import ClockDep
from qalxan.web.templating import render

router = APIRouter(prefix="/oversight", include_in_schema=False)
# Oversight figures and complaints are official-use information: the pages carry this marking.
MARKING = "restricted"
DEFAULT_DAYS = 30
USERS_SHOWN = 50
TRAIL_PAGE = 50
COMPLAINT = complaints.RECORD_TYPE
FORM_ERRORS = (InvalidInput, Conflict)
Text = Annotated[str, Query(max_length=80)]
Day = Annotated[str, Query(max_length=10)]


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


@dataclass(frozen=True)
class Here:
    """What every oversight page works with: the request, who acts, the doctrine, the clock."""

    request: Request
    ctx: Context
    doctrine: Doctrine
    clock: Clock

    def show(self, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        """Render a page with its handling marking, the sections the caller may use and the
        agencies' names."""
        principal = self.ctx.principal
        shell = {
            "marking": scheme().classification(MARKING),
            "names": {a.id: a.name for a in self.doctrine.of_kind("agency")},
            "shorts": short_names(self.doctrine),
            "can_oversee": principal.has(oversight.PERMISSION),
            "can_audit": principal.has(trail_query.PERMISSION),
            "can_complaints": policy.may_use(principal, COMPLAINT, policy.READ)
            or policy.may_use(principal, COMPLAINT, "create"),
        }
        return render(self.request, name, {**shell, **context}, status=status)


async def get_here(
    request: Request, ctx: PageCtxDep, doctrine: DoctrineDep, clock: ClockDep
) -> Here:
    return Here(request, ctx, doctrine, clock)


HereDep = Annotated[Here, Depends(get_here)]


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def local_time(clock: Clock, stamp: str | None) -> datetime | None:
    """An audit timestamp (``...Z``) in the installation's zone."""
    return clock.local(datetime.fromisoformat(stamp)) if stamp else None


@dataclass(frozen=True)
class Days:
    """Whole local days from ``first`` to ``last``, both included."""

    first: date
    last: date

    @classmethod
    def of(cls, since: str, until: str, zone: ZoneInfo) -> Days:
        last = local_day(until, "until") or datetime.now(zone).date()
        first = local_day(since, "since") or last - timedelta(days=DEFAULT_DAYS - 1)
        return cls(first, last)

    def period(self, zone: ZoneInfo) -> Period:
        return Period.of(midnight(self.first, zone), midnight(self.last + timedelta(1), zone), zone)

    def typed(self) -> dict[str, str]:
        """The days as the period form shows them."""
        return {"since": self.first.isoformat(), "until": self.last.isoformat()}

    def api_query(self) -> str:
        """The period as the JSON API reads it (``until`` exclusive, local dates)."""
        return urlencode({"since": self.first, "until": self.last + timedelta(days=1)})


def bar(counts: Counts, peak: int) -> list[tuple[str, float, int]]:
    """The segments of a row's bar: (name, width in % of the largest total, count)."""
    other = counts.total - counts.reads - counts.changes - counts.denied
    parts = [
        ("reads", counts.reads),
        ("changes", counts.changes),
        ("denied", counts.denied),
        ("other", other),
    ]
    return [(name, round(100 * n / peak, 2), n) for name, n in parts if n > 0 and peak]


def summary_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Screening, cases and complaints figures merged into one row per agency."""
    rows: dict[str, dict[str, Any]] = {}
    for section in ("screening_dispositions", "cases", "complaints"):
        for entry in figures[section]:
            counts = {k: v for k, v in entry.items() if k != "agency"}
            rows.setdefault(entry["agency"] or "", {})[section] = counts
    return [{"agency": agency or None, **row} for agency, row in sorted(rows.items())]


def is_abbreviation(text: str | None) -> bool:
    """MIA, SBS, MoD: one short word with at least two capitals."""
    if not text or " " in text or len(text) > 8:
        return False
    return sum(c.isupper() for c in text) > 1


def short_names(doctrine: Doctrine) -> dict[str, Any]:
    """An agency's abbreviation (MIA, SBS) from its aliases, for narrow columns."""
    found = {}
    for agency in doctrine.of_kind("agency"):
        short = [a for a in agency.aliases if is_abbreviation(a.en)]
        if short:
            found[agency.id] = short[0]
    return found


@router.get("", response_class=HTMLResponse)
def dashboard(here: HereDep, since: Day = "", until: Day = "") -> HTMLResponse:
    ctx, clock = here.ctx, here.clock
    check_audited(ctx, oversight.PERMISSION, "oversight.read", {"view": "dashboard"})
    error: QalxanError | None = None
    try:
        days = Days.of(since, until, clock.zone)
        period = days.period(clock.zone)
    except InvalidInput as exc:
        # The default period is shown beside the reason, with the dates as typed.
        error, days = exc, Days.of("", "", clock.zone)
        period = days.period(clock.zone)
    stats = oversight.access(ctx, period)
    figures = oversight.summary(ctx, period)
    found = anomalies.anomalies(ctx, period, clock)
    by_user = sorted(stats.by_user, key=lambda u: (-u.total, u.username))
    agency_peak = max((a.total for a in stats.by_agency), default=0)
    user_peak = max((u.total for u in by_user), default=0)
    context = {
        "days": days,
        "typed": {"since": since, "until": until} if error else days.typed(),
        "error": error,
        "clock": clock,
        "api_query": days.api_query(),
        "by_agency": [(a, bar(a, agency_peak)) for a in stats.by_agency],
        "by_user": [(u, bar(u, user_peak), local_time(clock, u.last_at)) for u in by_user],
        "users_shown": USERS_SHOWN,
        "totals": {k: sum(getattr(a, k) for a in stats.by_agency) for k in asdict(Counts())},
        "summary": summary_rows(figures),
        "overdue": sum(c["overdue"] for c in figures["complaints"]),
        "anomalies": found,
    }
    return here.show("oversight/dashboard.html", context, 422 if error else 200)


@router.post("/verify", response_class=HTMLResponse)
def verify(here: HereDep, form: PageFormDep) -> HTMLResponse:
    del form  # checked for its CSRF token
    report = trail_query.verify_chain(here.ctx)
    return here.show("oversight/verify.html", {"report": report})


@dataclass(frozen=True)
class TrailForm:
    """The audit browser's filters as typed (blank: not filtered)."""

    actor: str = ""
    agency: str = ""
    action: str = ""
    record_type: str = ""
    record_id: str = ""
    outcome: str = ""
    since: str = ""
    until: str = ""

    def filters(self, zone: ZoneInfo) -> trail_query.TrailFilter:
        since, until = day_bounds(self.since, self.until, zone)
        return trail_query.TrailFilter(
            actor_id=self.actor or None,
            actor_agency=self.agency or None,
            action=self.action or None,
            record_type=self.record_type or None,
            record_id=self.record_id or None,
            outcome=self.outcome or None,
            since=since,
            until=until,
        )

    def query(self, **more: Any) -> str:
        return urlencode({**{k: v for k, v in asdict(self).items() if v}, **more})


def get_trail_form(
    actor: Text = "",
    agency: Text = "",
    action: Text = "",
    record_type: Text = "",
    record_id: Text = "",
    outcome: Text = "",
    since: Day = "",
    until: Day = "",
) -> TrailForm:
    return TrailForm(actor, agency, action, record_type, record_id, outcome, since, until)


@router.get("/audit", response_class=HTMLResponse)
def audit_trail(
    here: HereDep,
    typed: Annotated[TrailForm, Depends(get_trail_form)],
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> HTMLResponse:
    ctx, clock = here.ctx, here.clock
    check_audited(ctx, trail_query.PERMISSION, "audit.read")
    error: QalxanError | None = None
    page = trail_query.Page([], None)
    try:
        page = trail_query.page(ctx, typed.filters(clock.zone), after, TRAIL_PAGE)
    except InvalidInput as exc:
        error = exc
    for record in page.records:
        record["local_at"] = local_time(clock, record["at"])
        record["detail_text"] = audit.canonical(record["detail"]) if record["detail"] else ""
    context = {
        "typed": typed,
        "error": error,
        "records": page.records,
        "after": after,
        "next_url": f"?{typed.query(after=page.next_after_seq)}" if page.next_after_seq else None,
        "first_url": f"?{typed.query()}",
        "outcomes": get_args(audit.Outcome),
        "zone": clock.zone.key,
    }
    return here.show("oversight/audit.html", context, 422 if error else 200)
