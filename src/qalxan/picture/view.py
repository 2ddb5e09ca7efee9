"""The national threat picture as a reader sees it: threat levels nationally and per region,
weekly trends, and the map of the recent window, all read from the rollups (never from the
incidents), counting only the incidents up to the reader's clearance.

Every cell links to the incidents behind it (the incident queue filtered by threat, district and
dates). Reading the picture needs ``assessment:read`` and is audited as ``assessment.picture``.

The rollups hold threats as doctrine ids; regions are ISO 3166-2:AZ codes, ``AZ`` for an
incident in Azerbaijan with no district, a country code abroad. The national picture is
Azerbaijan's regions together; incidents abroad and unplaced ones count in neither.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.picture import register
from qalxan.picture.contribution import NO_THREAT
from qalxan.picture.grains import COUNTRY, first_of_month, monday_of
from qalxan.picture.levels import Evidence, Level, level, scale
from qalxan.picture.tables import MonthRow, NationalWeekRow, WeekRow

RECORD_TYPE = "assessment"
NATIONAL = ""
TREND_WEEKS = 26


@dataclass(frozen=True)
class Cell:
    """One threat in one place: its level and the counts behind it."""

    threat: str
    region: str
    recent: int
    severity_sum: int
    baseline: int
    level: Level
    incidents_url: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "threat": self.threat,
            "region": self.region,
            "recent": self.recent,
            "severity_sum": self.severity_sum,
            "baseline": self.baseline,
            **self.level.as_dict(),
            "incidents_url": self.incidents_url,
        }


@dataclass(frozen=True)
class Picture:
    today: date
    since: date
    national: list[Cell]
    regions: dict[str, list[Cell]]
    trends: dict[str, list[tuple[date, int, int]]] = field(default_factory=dict)

    def region_totals(self) -> dict[str, tuple[int, int]]:
        """Per region: incidents of the recent window and its highest level (for the map).
        A sum over threats counts an incident once per threat it bears on."""
        return {
            region: (sum(c.recent for c in cells), max((c.level.level for c in cells), default=1))
            for region, cells in self.regions.items()
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "since": self.since.isoformat(),
            "national": [c.as_dict() for c in self.national],
            "regions": {r: [c.as_dict() for c in cells] for r, cells in self.regions.items()},
            "map": {
                region: {"incidents": n, "level": top}
                for region, (n, top) in self.region_totals().items()
            },
            "trends": {
                threat: [
                    {"week": w.isoformat(), "incidents": n, "severity_sum": s} for w, n, s in rows
                ]
                for threat, rows in self.trends.items()
            },
        }


def picture(
    ctx: audit.Context,
    today: date,
    threats: list[str],
    weeks: int = TREND_WEEKS,
) -> Picture:
    """The picture on ``today`` for the ``threats`` (doctrine ids, in display order), with
    the risk register's judgements the reader may see."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.picture", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        clearance = ctx.principal.clearance
        judgements = register.every_region(rec.session, ctx.principal)
        found = compute(rec.session, today, threats, clearance, judgements, weeks)
        rec.entry.detail = {"today": today.isoformat(), "regions": len(found.regions)}
    return found


def compute(
    session: Session,
    today: date,
    threats: list[str],
    clearance: int,
    judgements: register.Judgements,
    weeks: int = TREND_WEEKS,
) -> Picture:
    """The picture without the access check and audit (for the report and benchmarks)."""
    s = scale()
    # Whole weeks, this one so far included: the weekly rollup answers them in a few rows.
    since = monday_of(today) - timedelta(weeks=s.recent_days // 7 - 1)
    recent = _sums(session, WeekRow.week, since, today + timedelta(days=1), clearance)
    # The baseline: the twelve whole months before the month the recent window starts in.
    baseline_to = first_of_month(since)
    baseline_from = _months_before(baseline_to, 12)
    baseline = _sums(session, MonthRow.month, baseline_from, baseline_to, clearance)
    windows = Windows(since, today, (today - since).days + 1, (baseline_to - baseline_from).days)
    national = [_cell(t, NATIONAL, recent, baseline, judgements, windows) for t in threats]
    regions: dict[str, list[Cell]] = {}
    places = {r for _, r in recent} | {r for _, r in baseline}
    for region in sorted(places - {NATIONAL}):
        regions[region] = [_cell(t, region, recent, baseline, judgements, windows) for t in threats]
    return Picture(today, since, national, regions, _trends(session, today, clearance, weeks))


@dataclass(frozen=True)
class Windows:
    since: date
    today: date
    recent_days: int
    baseline_days: int


def _months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


Sums = dict[tuple[str, str], tuple[int, int]]


def _sums(session: Session, column: Any, start: date, end: date, clearance: int) -> Sums:
    """Incidents and severity per (threat, region) with ``column`` in [start, end), with the
    national sums under region ``""``."""
    table = column.class_
    query: Select[Any] = (
        select(table.threat, table.region, func.sum(table.incidents), func.sum(table.severity_sum))
        .where(column >= start, column < end, table.classification <= clearance)
        .where(_in_azerbaijan(table.region), table.threat != NO_THREAT)
        .group_by(table.threat, table.region)
    )
    found: Sums = {}
    national: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for threat, region, incidents, severity in session.execute(query):
        found[(threat, region)] = (int(incidents), int(severity))
        national[threat][0] += int(incidents)
        national[threat][1] += int(severity)
    for threat, (incidents, severity) in national.items():
        found[(threat, NATIONAL)] = (incidents, severity)
    return found


def _in_azerbaijan(region: Any) -> ColumnElement[bool]:
    return or_(region == COUNTRY, region.like(f"{COUNTRY}-%"))


def _cell(
    threat: str,
    region: str,
    recent: Sums,
    baseline: Sums,
    judgements: register.Judgements,
    windows: Windows,
) -> Cell:
    count, severity = recent.get((threat, region), (0, 0))
    before = baseline.get((threat, region), (0, 0))[0]
    judged = judgements.of(region, threat)
    evidence = Evidence(
        count,
        severity,
        before,
        likelihood=judged[0] if judged else None,
        impact=judged[1] if judged else None,
        recent_days=windows.recent_days,
        baseline_days=windows.baseline_days,
    )
    query = {
        "threat": threat,
        "since": windows.since.isoformat(),
        "until": windows.today.isoformat(),
    }
    if region and region != COUNTRY:
        query["admin1"] = region
    return Cell(
        threat, region, count, severity, before, level(evidence), f"/incidents?{urlencode(query)}"
    )


def _trends(
    session: Session, today: date, clearance: int, weeks: int
) -> dict[str, list[tuple[date, int, int]]]:
    """National weekly incidents and severity per threat, the last ``weeks`` weeks (this week
    so far included), every week listed (zeros too)."""
    last = monday_of(today)
    first = last - timedelta(weeks=weeks - 1)
    row = NationalWeekRow
    query = (
        select(row.threat, row.week, func.sum(row.incidents), func.sum(row.severity_sum))
        .where(row.week >= first, row.week <= last)
        .where(row.classification <= clearance, row.threat != NO_THREAT)
        .group_by(row.threat, row.week)
    )
    counted: dict[str, dict[date, tuple[int, int]]] = defaultdict(dict)
    for threat, week, incidents, severity in session.execute(query):
        day = week if isinstance(week, date) else date.fromisoformat(str(week))
        counted[threat][day] = (int(incidents), int(severity))
    every = [first + timedelta(weeks=i) for i in range(weeks)]
    return {
        threat: [(w, *by_week.get(w, (0, 0))) for w in every] for threat, by_week in counted.items()
    }
