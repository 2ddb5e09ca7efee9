"""Count series for the early warnings, read from the rollups: the incidents of one threat in
one region, or nationally, per day or per ISO week (weeks start on Monday).

Each series is one grouped query on ``picture_day`` (per day, over the classifications and,
nationally, the regions; a scan reads all the series of a threat with one query); the
incidents themselves are never read. A series counts the incidents up to a classification
(``max_classification``) and says, per period, the highest classification among them, so that
a warning about a period can be marked as high as what it gives away.

Regions are those of the rollups: an ISO 3166-2:AZ code (``AZ-TOV``), a country code for an
incident abroad (``GE``), ``AZ`` for one placed in Azerbaijan but in no district (offshore,
say), ``""`` for the unplaced. The **national** series (region ``""``) counts every incident
not known to be abroad: the districts, ``AZ`` and the unplaced (a cyber attack often has no
place, and the platform's reports are about Azerbaijan unless they say otherwise). The
regional series are the districts and the countries abroad; ``AZ`` and the unplaced are
counted nationally only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Connection, and_, func, or_, select
from sqlalchemy.orm import Session

from qalxan.picture.baseline import Counts
from qalxan.picture.contribution import NO_REGION, NO_THREAT
from qalxan.picture.tables import DayRow

NATIONAL = ""
COUNTRY = "AZ"
# Days per period of each scale.
STEP = {"day": 1, "week": 7}
NONE = -1  # the classification of a period without incidents

Db = Session | Connection


@dataclass(frozen=True)
class Series:
    """``counts[i]`` incidents in the period starting ``starts[i]``; ``classifications[i]``
    the highest classification among them (:data:`NONE` for none)."""

    threat: str
    region: str
    scale: str
    starts: tuple[date, ...]
    counts: Counts
    classifications: npt.NDArray[np.int64]

    def classification(self, first: int, last: int) -> int:
        """The highest classification among the incidents of periods ``first`` to ``last``
        (inclusive); 0 when there are none."""
        window = self.classifications[max(0, first) : last + 1]
        return max(0, int(window.max())) if len(window) else 0


def period_start(day: date, scale: str) -> date:
    """The first day of the period of ``scale`` that ``day`` falls in."""
    if scale == "week":
        return day - timedelta(days=day.weekday())
    _step(scale)
    return day


def national(region: str) -> bool:
    """Whether incidents of ``region`` count in the national series."""
    return region in (NO_REGION, COUNTRY) or region.startswith(f"{COUNTRY}-")


def regional(region: str) -> bool:
    """Whether ``region`` has series of its own (a district, or a country abroad)."""
    return region not in (NO_REGION, COUNTRY)


def read(
    db: Db,
    threat: str,
    region: str,
    scale: str,
    first: date,
    last: date,
    max_classification: int,
) -> Series:
    """The series of ``threat`` in ``region`` (:data:`NATIONAL`: nationally) for the periods
    from the one holding ``first`` to the one holding ``last``, counting the incidents
    classified up to ``max_classification``."""
    frame = _Frame(scale, first, last)
    rows = db.execute(
        select(DayRow.day, func.sum(DayRow.incidents), func.max(DayRow.classification))
        .where(_counted(threat, frame, max_classification), _place(region))
        .group_by(DayRow.day)
    ).all()
    return frame.series(threat, region, [tuple(row) for row in rows])


def read_all(
    db: Db, threat: str, scale: str, first: date, last: date, max_classification: int
) -> dict[str, Series]:
    """Like :func:`read`, every series of ``threat`` at once (one query, for a scan): the
    national one and those of the regions with incidents in the periods."""
    frame = _Frame(scale, first, last)
    rows = db.execute(
        select(
            DayRow.region,
            DayRow.day,
            func.sum(DayRow.incidents),
            func.max(DayRow.classification),
        )
        .where(_counted(threat, frame, max_classification))
        .group_by(DayRow.region, DayRow.day)
    ).all()
    by_region: dict[str, list[tuple[date, int, int]]] = {NATIONAL: []}
    for region, day, incidents, classification in rows:
        if national(region):
            by_region[NATIONAL].append((day, incidents, classification))
        if regional(region):
            by_region.setdefault(region, []).append((day, incidents, classification))
    return {region: frame.series(threat, region, days) for region, days in by_region.items()}


class _Frame:
    """The periods of a series: from the one holding ``first`` to the one holding ``last``."""

    def __init__(self, scale: str, first: date, last: date) -> None:
        self.scale = scale
        self.step = _step(scale)
        self.start = period_start(first, scale)
        self.end = period_start(last, scale) + timedelta(days=self.step)
        self.size = max(0, (self.end - self.start).days // self.step)

    def series(self, threat: str, region: str, days: Sequence[tuple[Any, ...]]) -> Series:
        """The series of (day, incidents, highest classification) rows, folded into periods."""
        counts = np.zeros(self.size, np.int64)
        classes = np.full(self.size, NONE, np.int64)
        if days:
            at = np.array([(day - self.start).days // self.step for day, _, _ in days], np.int64)
            np.add.at(counts, at, np.array([n for _, n, _ in days], np.int64))
            np.maximum.at(classes, at, np.array([c for _, _, c in days], np.int64))
        starts = tuple(self.start + timedelta(days=i * self.step) for i in range(self.size))
        return Series(threat, region, self.scale, starts, counts, classes)


def _counted(threat: str, frame: _Frame, max_classification: int) -> ColumnElement[bool]:
    return and_(
        DayRow.threat == threat,
        DayRow.day >= frame.start,
        DayRow.day < frame.end,
        DayRow.classification <= max_classification,
        DayRow.incidents > 0,
    )


def present(db: Db, first: date, last: date, max_classification: int) -> list[tuple[str, str]]:
    """The series with incidents between ``first`` and ``last`` (inclusive), as (threat,
    region) pairs, each threat's national series first; never the threat ``""``."""
    rows = db.execute(
        select(DayRow.threat, DayRow.region)
        .where(
            DayRow.day >= first,
            DayRow.day <= last,
            DayRow.threat != NO_THREAT,
            DayRow.classification <= max_classification,
            DayRow.incidents > 0,
        )
        .distinct()
    ).all()
    found: set[tuple[str, str]] = set()
    for threat, region in rows:
        if national(region):
            found.add((threat, NATIONAL))
        if regional(region):
            found.add((threat, region))
    return sorted(found)


def first_day(db: Db) -> date | None:
    """The first day the picture counts anything: before it, a series is not quiet but
    unknown (an installation's first weeks have no history to compare with)."""
    found: date | None = db.execute(select(func.min(DayRow.day))).scalar_one_or_none()
    return found


def _place(region: str) -> ColumnElement[bool]:
    if region != NATIONAL:
        return DayRow.region == region
    return or_(
        DayRow.region == NO_REGION,
        DayRow.region == COUNTRY,
        DayRow.region.startswith(f"{COUNTRY}-", autoescape=True),
    )


def _step(scale: str) -> int:
    step = STEP.get(scale)
    if step is None:
        raise ValueError(f"scale: {scale!r} is not one of {', '.join(STEP)}")
    return step
