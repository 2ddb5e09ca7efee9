"""What the rollups say of one period of the National Threat Assessment: incidents per threat
and per district, and the highest classification counted. Azerbaijan only (its districts, and
the country without a district), up to the reader's clearance, as the picture counts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from qalxan.picture.contribution import NO_THREAT, threats_of
from qalxan.picture.grains import COUNTRY
from qalxan.picture.periods import Period
from qalxan.picture.tables import DayRow, DayTypeRow, MonthRow


def in_azerbaijan(region: Any) -> ColumnElement[bool]:
    return or_(region == COUNTRY, region.like(f"{COUNTRY}-%"))


def per_threat(session: Session, period: Period, clearance: int) -> dict[str, tuple[int, int, int]]:
    """Per threat: incidents in Azerbaijan first observed in ``period``, killed, injured."""
    row = DayRow
    query = (
        select(row.threat, func.sum(row.incidents), func.sum(row.killed), func.sum(row.injured))
        .where(row.day >= period.first, row.day < period.until)
        .where(row.classification <= clearance, row.threat != NO_THREAT)
        .where(in_azerbaijan(row.region))
        .group_by(row.threat)
    )
    return {t: (int(n), int(k), int(i)) for t, n, k, i in session.execute(query)}


def per_district(session: Session, period: Period, clearance: int) -> dict[str, int]:
    """Incidents of some threat per district in ``period``, each counted once: an event
    type's incidents are taken under the first of its threats only."""
    row = DayTypeRow
    query = (
        select(row.region, row.event_type, row.threat, func.sum(row.incidents))
        .where(row.day >= period.first, row.day < period.until)
        .where(row.classification <= clearance, row.threat != NO_THREAT)
        .where(row.region.like(f"{COUNTRY}-%"))
        .group_by(row.region, row.event_type, row.threat)
    )
    found: dict[str, int] = defaultdict(int)
    for region, kind, threat, incidents in session.execute(query):
        if threat == threats_of(kind)[0]:
            found[region] += int(incidents)
    return dict(found)


def highest_rank(session: Session, since: date, until: date, clearance: int) -> int:
    """The highest classification of the incidents counted in the months from ``since`` to the
    one ``until`` falls in: whole months, a cover of every window the report's counts read (it
    may mark a report higher than it needs, never lower)."""
    row = MonthRow
    query = (
        select(func.max(row.classification))
        .where(row.month >= since, row.month < until)
        .where(row.classification <= clearance, row.threat != NO_THREAT)
        .where(in_azerbaijan(row.region))
    )
    return int(session.scalar(query) or 0)


def months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)
