"""What the indicators (:mod:`qalxan.picture.indicators`) read: per indicator, and per region
where it counts per region, the incidents it selects in its current window, against its
threshold or its norm, whether it is triggered, and why.

**Windows.** An indicator of ``window_days`` days counts consecutive windows of that many days
from :data:`EPOCH` (a Monday: windows of 7 days are ISO weeks); the current one is the window
holding ``today``, counted up to ``today``. An incident counts in the window of its
``first_observed`` day (UTC), as the rollups count it.

**Norm.** The same window's norm is the baseline module's moving one over the previous
windows (``above_norm.windows``, eight for a threshold indicator), from the picture's first
day only: before it, a window is not quiet but unknown. The tail probability of the count
against it is the baseline's (Poisson, or negative binomial where counts cluster).

**The incidents.** Read from the incidents table, bounded by the windows (the index on
``last_observed``), the selected event types and the reader's clearance, merged incidents left
out; the place conditions are checked on each incident's place facts, in Python, the same on
SQLite and PostgreSQL. A national count takes the incidents not known to be abroad, as the
national series does; a count per region takes each district (or country abroad) apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.geo.infrastructure import near_pipelines
from qalxan.intake.tables import IncidentRow
from qalxan.picture import indicators, series
from qalxan.picture.baseline import Expected, Window, expected
from qalxan.picture.contribution import NO_REGION, NOT_COUNTED, utc_day
from qalxan.picture.indicators import NATIONAL, PER_REGION, Indicator, Selection

RECORD_TYPE = "assessment"
# Windows are counted from this Monday: windows of 7 days are ISO weeks.
EPOCH = date(2000, 1, 3)
# A warning of an indicator is stored with this source, then the indicator's id.
SOURCE = "indicator:"


@dataclass(frozen=True)
class Reading:
    """An indicator's count in one place (``region``: ``""`` nationally, or for a count per
    region when no region had an incident) in the window from ``start`` to ``last``."""

    indicator: Indicator
    region: str
    start: date
    last: date
    count: int
    norm: Expected | None
    probability: float | None  # of the count or more, against the norm
    triggered: bool
    why: str
    classification: int  # the highest among the incidents counted (0: none)
    incidents_url: str | None

    @property
    def threat(self) -> str:
        return self.indicator.threat

    @property
    def scale(self) -> str:
        return f"{self.indicator.window_days}d"

    @property
    def period_start(self) -> date:
        return self.start

    @property
    def source(self) -> str:
        return f"{SOURCE}{self.indicator.id}"

    @property
    def key(self) -> tuple[str, str, str, date, str]:
        """What a warning of it is stored once by."""
        return (self.threat, self.region, self.scale, self.start, self.source)

    def as_dict(self) -> dict[str, Any]:
        ind = self.indicator
        return {
            "indicator": ind.id,
            "name": ind.name.model_dump(),
            "threat": ind.threat,
            "per": ind.per,
            "region": self.region,
            "window_days": ind.window_days,
            "since": self.start.isoformat(),
            "until": self.last.isoformat(),
            "count": self.count,
            "trigger": ind.trigger,
            "threshold": ind.at_least,
            "alpha": ind.above_norm.alpha if ind.above_norm else None,
            "expected": None if self.norm is None else round(self.norm.mean, 3),
            "probability": self.probability,
            "triggered": self.triggered,
            "why": self.why,
            "incidents_url": self.incidents_url,
        }


def window_start(day: date, days: int) -> date:
    """The first day of the window of ``days`` days that ``day`` falls in."""
    return EPOCH + timedelta(days=(day - EPOCH).days // days * days)


def current(ctx: audit.Context, today: date, path: Path = indicators.BUNDLED) -> list[Reading]:
    """Every indicator's reading on ``today`` for the caller (``assessment:read``), counting
    the incidents up to their clearance; audited as ``assessment.indicators``."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.indicators", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        found = evaluate(rec.session, ctx.principal, today, path)
        rec.entry.detail = {
            "today": today.isoformat(),
            "triggered": [f"{r.indicator.id}:{r.region}" for r in found if r.triggered],
        }
    return found


def evaluate(
    session: Session, reader: Principal | int, today: date, path: Path = indicators.BUNDLED
) -> list[Reading]:
    """Every indicator's reading on ``today``, counting the incidents classified up to the
    reader's clearance (a principal, or a clearance rank), without access check or audit."""
    clearance = reader if isinstance(reader, int) else reader.clearance
    first = series.first_day(session)
    return [
        reading
        for indicator in indicators.load(path)
        for reading in read(session, indicator, clearance, today, first)
    ]


def triggered(session: Session, today: date, path: Path = indicators.BUNDLED) -> list[Reading]:
    """The readings that warn, for the scan: in the window holding ``today`` and in the one
    before (complete: a missed scan, or reports that arrived late, still warn), counting
    every incident (the warning's own classification protects them)."""
    clearance = scheme().highest.rank
    first = series.first_day(session)
    found: list[Reading] = []
    for indicator in indicators.load(path):
        before = window_start(today, indicator.window_days) - timedelta(days=1)
        for day in (before, today):
            found.extend(r for r in read(session, indicator, clearance, day, first) if r.triggered)
    return found


def read(
    session: Session, indicator: Indicator, clearance: int, today: date, first: date | None
) -> list[Reading]:
    """One indicator on ``today``: one reading nationally, or one per region with incidents
    in the window (a single one, ``""``, when none had any). ``first``: the picture's first
    day (None: nothing counted yet)."""
    days = timedelta(days=indicator.window_days)
    start = window_start(today, indicator.window_days)
    until = min(start + days, today + timedelta(days=1))
    wanted, _ = indicator.norm_windows
    earlier = (start - days * k for k in range(wanted, 0, -1))
    history = [w for w in earlier if first is not None and w >= first]
    groups: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for region, day, classification in _selected(
        session, indicator, clearance, history[0] if history else start, until
    ):
        groups[NO_REGION if indicator.per == NATIONAL else region].append((day, classification))
    regions = [NO_REGION]
    if indicator.per == PER_REGION:
        now = sorted(r for r, hits in groups.items() if any(d >= start for d, _ in hits))
        regions = now or regions
    last = until - timedelta(days=1)
    return [
        _reading(indicator, region, groups.get(region, []), start, last, history)
        for region in regions
    ]


def _selected(
    session: Session, indicator: Indicator, clearance: int, since: date, until: date
) -> Iterable[tuple[str, date, int]]:
    """Region, day and classification of each incident ``indicator`` selects, first observed
    from ``since`` to before ``until``."""
    chosen = indicator.select
    row = IncidentRow
    since_at = datetime.combine(since, time(), UTC)
    until_at = datetime.combine(until, time(), UTC)
    query = (
        select(
            row.first_observed,
            row.admin1,
            row.country,
            row.classification,
            row.place_facts,
            row.lat,
            row.lon,
        )
        # last_observed >= first_observed: the bound on the indexed column loses nothing.
        .where(row.last_observed >= since_at, row.first_observed >= since_at)
        .where(row.first_observed < until_at, row.status.not_in(NOT_COUNTED))
        .where(row.classification <= clearance, row.event_type.in_(sorted(chosen.types())))
    )
    for first_observed, admin1, country, classification, facts, lat, lon in session.execute(query):
        region = admin1 or country or NO_REGION
        if chosen.regions and region not in chosen.regions:
            continue
        if indicator.per == NATIONAL and not chosen.regions and not series.national(region):
            continue  # abroad: never in a national count
        if indicator.per == PER_REGION and region == NO_REGION:
            continue
        if _placed(chosen, facts or {}, lat, lon):
            yield region, utc_day(first_observed), classification or 0


def _placed(chosen: Selection, facts: Mapping[str, Any], lat: Any, lon: Any) -> bool:
    """Whether an incident's place facts (from placing it) meet the place conditions."""
    for zone in ("border_zone", "offshore"):
        wanted = getattr(chosen, zone)
        if wanted is not None and bool(facts.get(zone)) != wanted:
            return False
    km = chosen.pipeline_within_km
    if km is None:
        return True
    nearest = facts.get("pipeline_km")  # the nearest pipeline, of any kind
    if nearest is None or float(nearest) > km:
        return False
    if not chosen.pipelines:
        return True
    if lat is None or lon is None:
        return False
    return any(p.code in chosen.pipelines for p in near_pipelines(float(lat), float(lon), km))


def _reading(
    indicator: Indicator,
    region: str,
    hits: list[tuple[date, int]],
    start: date,
    last: date,
    history: list[date],
) -> Reading:
    days = indicator.window_days
    counts = np.zeros(len(history) + 1, np.int64)
    top = 0
    for day, classification in hits:
        if day >= start:
            counts[-1] += 1
            top = max(top, classification)
        else:
            counts[(day - history[0]).days // days] += 1
    count = int(counts[-1])
    _, minimum = indicator.norm_windows
    window = Window(season=1, years=0, window=len(history), guard=0, minimum=minimum)
    norm = expected(counts, len(history), window) if history else None
    probability = None if norm is None else norm.tail(count)
    rule = indicator.above_norm
    if indicator.at_least is not None:
        fired = count >= indicator.at_least
    else:
        assert rule is not None
        fired = probability is not None and count >= rule.min_count and probability < rule.alpha
    why = _why(indicator, count, start, last, norm, probability, len(history), fired)
    return Reading(
        indicator,
        region,
        start,
        last,
        count,
        norm,
        probability,
        fired,
        why,
        top,
        _incidents_url(indicator, region, start, last),
    )


def _why(
    indicator: Indicator,
    count: int,
    start: date,
    last: date,
    norm: Expected | None,
    probability: float | None,
    earlier: int,
    fired: bool,
) -> str:
    """The reading explained, e.g. ``8 incidents from 2026-11-16 to 2026-11-22 against 1.1
    expected (the 8 windows of 7 days before); 8 or more by chance: p = 1.6e-05, below
    0.01: above the norm``."""
    counted = f"{count} incident{'' if count == 1 else 's'} from {start} to {last}"
    days = indicator.window_days
    _, minimum = indicator.norm_windows
    if norm is None or probability is None:
        against = (
            f"no norm yet: {earlier} earlier window{'' if earlier == 1 else 's'} of {days} "
            f"days since the picture's first day, {minimum} needed"
        )
    else:
        against = f"{norm.mean:.1f} expected (the {norm.periods} windows of {days} days before)"
        if count:
            against += f"; {count} or more by chance: p = {probability:.2g}"
    if indicator.at_least is not None:
        side = "at or above" if fired else "below"
        return f"{counted}, {side} the threshold of {indicator.at_least}; {against}"
    rule = indicator.above_norm
    assert rule is not None
    if norm is None:
        return f"{counted}; {against}"
    if count < rule.min_count:
        verdict = f"fewer than the {rule.min_count} needed to warn"
    elif fired:
        verdict = f"below {rule.alpha:g}: above the norm"
    else:
        verdict = f"not below {rule.alpha:g}: within the norm"
    return f"{counted} against {against}, {verdict}"


def _incidents_url(indicator: Indicator, region: str, start: date, last: date) -> str | None:
    """The incident queue filtered to the incidents behind a reading, where its filters (one
    event type, a district, dates) select exactly those: none for a selection by place facts,
    several types or a category, or a country abroad."""
    chosen = indicator.select
    if chosen.by_place or chosen.categories or len(chosen.event_types) != 1:
        return None
    places = (region,) if indicator.per == PER_REGION and region else chosen.regions
    if len(places) > 1 or (places and not places[0].startswith(f"{series.COUNTRY}-")):
        return None
    query = {"event_type": chosen.event_types[0], "since": str(start), "until": str(last)}
    if places:
        query["admin1"] = places[0]
    return f"/incidents?{urlencode(query)}"
