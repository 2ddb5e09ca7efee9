"""The National Threat Assessment: the report of one period (a month or an ISO week), as HTML
and as PDF.

It gathers, for the reader and as the period ended: the national threat levels, a weekly trend
chart per threat over the period and the months before it, a map of the period's incidents by
district, the risk matrix, the period's most severe incidents, the changes since the previous
period (each threat's level and incidents, with their direction) and the analysts' narrative.

Everything is what the reader may read: counts of the incidents up to their clearance (the
rollups, as the picture counts), incidents, assessments and the narrative through the policy.
The levels and the risk matrix take the register as the report is made (the analysts update
it when they write the period's assessment); the previous period's levels take it as it stood
when that period ended, so that a judgement changed during the period shows as a change. The
report is marked with the highest classification of anything it includes, counts included
(the rollups of every window it reads). Building it needs ``assessment:read`` and is audited as
``assessment.report``, naming the records it discloses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.doctrine.loader import load_bundled
from qalxan.errors import InvalidInput
from qalxan.geo.data_files import load_gazetteer
from qalxan.intake.tables import IncidentRow
from qalxan.intake.taxonomy import taxonomy
from qalxan.picture import charts, narratives, period_counts, periods, view
from qalxan.picture.contribution import watched
from qalxan.picture.grains import first_of_month, monday_of
from qalxan.picture.levels import Level, risk_level, scale
from qalxan.picture.register import Judgements, Matrix, latest, matrix_of
from qalxan.picture.tables import NarrativeRow, RiskRow

RECORD_TYPE = "assessment"
TREND_WEEKS = 26
NOTABLE = 10
TEMPLATES = Path(__file__).parent / "templates"
Direction = Literal["rising", "falling", "steady"]


def direction(before: int, now: int) -> Direction:
    return "rising" if now > before else "falling" if now < before else "steady"


@dataclass(frozen=True)
class ThreatLine:
    """One threat in the period, and in the one before it."""

    threat: str
    code: str
    name: str
    level: Level  # as the period ended
    previous_level: Level
    incidents: int  # incidents in Azerbaijan first observed in the period
    previous_incidents: int
    killed: int
    injured: int
    weeks: tuple[tuple[date, int], ...]  # national incidents per week (Monday), the trend

    @property
    def level_direction(self) -> Direction:
        return direction(self.previous_level.level, self.level.level)

    @property
    def count_direction(self) -> Direction:
        return direction(self.previous_incidents, self.incidents)

    @property
    def changed(self) -> bool:
        return self.level_direction != "steady" or self.count_direction != "steady"


@dataclass(frozen=True)
class Risk:
    """A line of the national risk register as the report is made."""

    id: str
    threat: str
    code: str
    likelihood: int
    impact: int
    version: int
    assessed_by: str
    assessed_at: datetime
    justification: str
    marking: str

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> int:
        return risk_level(self.likelihood, self.impact)


@dataclass(frozen=True)
class Notable:
    """One of the period's most severe incidents."""

    id: str
    title: str
    event_type: str
    first_observed: datetime
    place: str
    severity: int
    killed: int
    injured: int
    marking: str


@dataclass(frozen=True)
class Narrative:
    id: str
    text: str
    version: int
    written_by: str
    written_at: datetime
    marking: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Report:
    period: periods.Period
    previous: periods.Period
    as_of: date  # the day the levels are taken on: the period's last, or today if earlier
    reader: str
    clearance: str
    generated_at: datetime
    marking: str  # the banner of the highest classification included
    threats: tuple[ThreatLine, ...]
    districts: Mapping[str, int]  # incidents of the period per district, each counted once
    matrix: Matrix
    risks: tuple[Risk, ...]
    incidents: tuple[Notable, ...]
    narrative: Narrative | None
    # The assessments behind the previous period's levels (named in the audit).
    earlier_risks: tuple[str, ...] = ()

    @property
    def changes(self) -> list[ThreatLine]:
        return [t for t in self.threats if t.changed]


def assessment(
    ctx: audit.Context,
    period: str,
    notable: int = NOTABLE,
    now: datetime | None = None,
) -> Report:
    """The National Threat Assessment of ``period`` (``2026-10`` or ``2026-W44``) for the
    caller; a bad period, or one that has not begun, is :class:`InvalidInput` naming
    ``period``."""
    moment = now or datetime.now(UTC)
    with audit.recorded(ctx, f"{RECORD_TYPE}.report", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        this = periods.parse(period)
        if this.first > moment.date():
            raise InvalidInput(f"period: {this.label} has not begun", "period")
        report = _gather(rec.session, ctx.principal, this, moment, notable)
        narrative = report.narrative
        rec.entry.detail = {
            "period": this.label,
            "marking": report.marking,
            "incidents": [i.id for i in report.incidents],
            "assessments": sorted({*(r.id for r in report.risks), *report.earlier_risks}),
            "narrative": narrative.id if narrative is not None else None,
        }
    return report


def _gather(
    session: Session, principal: Principal, this: periods.Period, now: datetime, notable: int
) -> Report:
    clearance = principal.clearance
    before = this.previous()
    threats = list(watched())
    register = latest(session, principal, view.NATIONAL)
    as_of = min(this.last, now.date())
    judged = Judgements.national(register)
    found = view.compute(session, as_of, threats, clearance, judged, TREND_WEEKS)
    earlier = _register(session, principal, before.until_at)
    judged_before = Judgements.national(earlier)
    previous = view.compute(session, before.last, threats, clearance, judged_before, 1)
    counts = period_counts.per_threat(session, this, clearance)
    counts_before = period_counts.per_threat(session, before, clearance)
    incidents = _notable(session, principal, this, notable)
    narrative = narratives.latest_in(session, principal, this.label)
    # Every count read: the previous period's levels' baseline (twelve months before the
    # month its recent window starts in) up to the end of this period.
    counted_since = period_counts.months_before(first_of_month(previous.since), 12)
    ranks = [
        period_counts.highest_rank(session, counted_since, this.until, clearance),
        *(r.classification for r in [*register.values(), *earlier.values()]),
        *(i.classification for i in incidents),
        *([narrative.classification] if narrative is not None else []),
    ]
    level_now = {c.threat: c.level for c in found.national}
    level_before = {c.threat: c.level for c in previous.national}
    weeks = _weeks(found.trends, as_of)
    return Report(
        period=this,
        previous=before,
        as_of=as_of,
        reader=principal.username,
        clearance=scheme().by_rank(clearance).banner,
        generated_at=now,
        marking=scheme().by_rank(max(ranks)).banner,
        threats=tuple(
            ThreatLine(
                threat=t,
                code=_code(t),
                name=_name(t),
                level=level_now[t],
                previous_level=level_before[t],
                incidents=counts.get(t, (0, 0, 0))[0],
                previous_incidents=counts_before.get(t, (0, 0, 0))[0],
                killed=counts.get(t, (0, 0, 0))[1],
                injured=counts.get(t, (0, 0, 0))[2],
                weeks=weeks(t),
            )
            for t in threats
        ),
        districts=period_counts.per_district(session, this, clearance),
        matrix=matrix_of(register),
        risks=tuple(_risk(r) for r in register.values()),
        incidents=tuple(_notable_line(i) for i in incidents),
        narrative=_narrative(narrative) if narrative is not None else None,
        earlier_risks=tuple(r.id for r in earlier.values()),
    )


def _register(session: Session, principal: Principal, until: datetime) -> dict[str, RiskRow]:
    """The national register as it stood at ``until``: per threat, the newest version the
    reader may read among those assessed before it (:func:`register.latest` as of then)."""
    query = select(RiskRow).where(
        RiskRow.region == view.NATIONAL,
        RiskRow.assessed_at < until,
        policy.visible(principal, RiskRow),
    )
    newest: dict[str, RiskRow] = {}
    for row in session.scalars(query):
        if row.threat not in newest or row.version > newest[row.threat].version:
            newest[row.threat] = row
    order = {threat: n for n, threat in enumerate(watched())}
    return {t: newest[t] for t in sorted(newest, key=lambda t: (order.get(t, len(order)), t))}


def _notable(
    session: Session, principal: Principal, period: periods.Period, limit: int
) -> list[IncidentRow]:
    """The most severe incidents observed in ``period`` the reader may read (severity, then
    the killed and injured, then the latest first); merged ones and public events left out."""
    row = IncidentRow
    query = (
        select(row)
        .where(row.last_observed >= period.since_at, row.first_observed < period.until_at)
        .where(row.status != "merged", row.public_event.is_(False))
        .where(policy.visible(principal, row))
        .order_by(
            row.severity.desc(),
            (row.killed + row.injured).desc(),
            row.first_observed.desc(),
            row.id,
        )
        .limit(limit)
    )
    return list(session.scalars(query))


Weeks = tuple[tuple[date, int], ...]


def _weeks(
    trends: Mapping[str, list[tuple[date, int, int]]], as_of: date
) -> Callable[[str], Weeks]:
    """Each threat's national incidents per week, every week of the trend listed."""
    last = monday_of(as_of)
    every = [last - timedelta(weeks=TREND_WEEKS - 1 - n) for n in range(TREND_WEEKS)]

    def of(threat: str) -> Weeks:
        rows = trends.get(threat)
        if rows is None:
            return tuple((week, 0) for week in every)
        return tuple((week, incidents) for week, incidents, _ in rows)

    return of


def _code(threat: str) -> str:
    return load_bundled().items[threat].code or threat


def _name(threat: str) -> str:
    return load_bundled().items[threat].name.en


def _banner(rank: int) -> str:
    return scheme().by_rank(rank).banner


def _risk(row: RiskRow) -> Risk:
    return Risk(
        id=row.id,
        threat=row.threat,
        code=_code(row.threat),
        likelihood=row.likelihood,
        impact=row.impact,
        version=row.version,
        assessed_by=row.assessed_by,
        assessed_at=row.assessed_at,
        justification=row.justification,
        marking=_banner(row.classification),
    )


def _notable_line(row: IncidentRow) -> Notable:
    kind = taxonomy().by_code.get(row.event_type)
    unit = load_gazetteer().units.get(row.admin1 or "")
    return Notable(
        id=row.id,
        title=row.title,
        event_type=kind.name.en if kind else row.event_type,
        first_observed=row.first_observed,
        place=unit.name if unit else row.place_text or row.country or "unplaced",
        severity=row.severity,
        killed=row.killed,
        injured=row.injured,
        marking=_banner(row.classification),
    )


def _narrative(row: NarrativeRow) -> Narrative:
    return Narrative(
        id=row.id,
        text=row.narrative,
        version=row.version,
        written_by=row.written_by,
        written_at=row.written_at,
        marking=_banner(row.classification),
    )


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string (for ``content:``): every character that is not a
    letter, digit or space escaped, so that no marking can end the string or the style."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in text)
    return Markup('"{}"').format(escaped)


def render_html(report: Report) -> str:
    """The report as one HTML document: styles and charts inline, nothing fetched."""
    labels = {t.threat: t.code for t in report.threats}
    return (
        _environment()
        .get_template("assessment.html")
        .render(
            report=report,
            trends={
                t.threat: charts.trend(
                    f"{t.code} {t.name}", t.weeks, (report.period.first, report.period.last)
                )
                for t in report.threats
            },
            choropleth=charts.choropleth(report.districts),
            matrix=charts.risk_matrix(report.matrix, labels),
            districts=_district_table(report.districts),
            level_name=scale().name,
            level_fill=charts.LEVEL_FILL,
            level_text=charts.LEVEL_TEXT,
            arrows={"rising": "▲", "falling": "▼", "steady": "="},
        )
    )


def _district_table(counts: Mapping[str, int], top: int = 12) -> list[tuple[str, str, int]]:
    """The busiest districts: (code, name, incidents), most first."""
    units = load_gazetteer().units
    busiest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [(code, units[code].name if code in units else code, n) for code, n in busiest if n]


def render_pdf(report: Report) -> bytes:
    """The report as a PDF (WeasyPrint), its marking and page numbers on every page. Fetches
    nothing: every URL is refused, and the fonts are the system's."""
    from weasyprint import HTML, URLFetcher  # imported when a PDF is made: it loads pango

    offline = URLFetcher(allowed_protocols=())
    document = HTML(string=render_html(report), url_fetcher=offline)
    return bytes(document.write_pdf())
