"""Hazard feeds through the intake: earthquake catalogues imported as hazard incidents, and
the early warning run over those incidents.

- **Import**: the USGS ComCat M4.5+ extract of the Azerbaijan box (1973-2015) and the whole NOAA
  NCEI significant-earthquakes table, into a fresh SQLite store through
  :func:`qalxan.alerts.catalogues.import_file` with its defaults (the quakes within their felt
  range of Azerbaijan; rows that cannot be stored rejected with their reason). Reported: rows
  read per second (once the geography is loaded, as in a running server), incidents created,
  and that a second import of both files stores nothing.
- **Early warning**: the picture's scan (:func:`qalxan.picture.warnings.scan`) replayed over
  1973-2015 as a server would have run it, every :data:`~qalxan.picture.warnings.LOOKBACK_DAYS`
  days over the complete days before, on the rollups the intake wrote. Reported: whether the
  2000 Baku and 2012 Zaqatala earthquakes raised a warning of the hazards (direction 4.3.10)
  nationally or in their own district on the day of the main shock or the day after, and the
  other national warning episodes per year (counted as :mod:`benchmarks.bench_picture` counts
  them, so that the figures compare with its replay of raw daily counts).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from benchmarks.common import Row
from qalxan.access.audit import Context
from qalxan.alerts.catalogues import Imported, import_file, read
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.versions import DoctrineCache
from qalxan.intake import placing
from qalxan.intake.classify import classifier_for
from qalxan.picture import warnings
from qalxan.picture.tables import WarningRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
QUAKES = SHARED / "data" / "events" / "earthquakes"
COMCAT = QUAKES / "DERIVED_comcat_M4.5_AZ_bbox_1973_2015.csv"
NCEI = QUAKES / "ncei_wds_significant_earthquakes_2150BC_2023.tsv"

THREAT = "direction-4-3-10"
FIRST_DAY = date(1973, 1, 1)
LAST_DAY = date(2015, 12, 31)
# Main shocks, and the district each struck.
SEQUENCES = {
    "Baku 2000": (date(2000, 11, 25), "AZ-BA"),
    "Zaqatala 2012": (date(2012, 5, 7), "AZ-ZAQ"),
}
# A warning on the day of the main shock or the next is in time: the daily scan sees a day
# once it is complete.
IN_TIME_DAYS = 1
# As bench_picture: warnings up to this many days after a main shock belong to its sequence,
# and warnings at most a week apart are one episode.
SEQUENCE_DAYS = 180
EPISODE_GAP = 7


def run() -> list[Row]:
    if not COMCAT.exists() or not NCEI.exists():
        return [Row("hazard feeds", "skipped", "", None, f"data absent: {QUAKES}")]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), doctrine_refresh_seconds=0)
        engine = bootstrap(settings)
        try:
            ctx = _importer(settings, engine)
            doctrine = DoctrineCache().current(engine)
            rows = _import(ctx, doctrine, Path(tmp))
            rows += _warnings(engine, doctrine, settings.operator_agency)
        finally:
            engine.dispose()
    return rows


def _importer(settings: Settings, engine: Engine) -> Context:
    principal = replace(operator_principal(settings, "bench"), roles=("duty_officer",))
    return Context(principal, trail(settings, engine))


def _import(ctx: Context, doctrine: Doctrine, data_dir: Path) -> list[Row]:
    classifier = classifier_for(data_dir)
    warm_started = time.perf_counter()
    # The geography (the border, the districts, the pipelines, the world's towns) loads on
    # first use; a running server has it loaded. Reading the files once (the extract's rows
    # are named by the place at their point) and placing a point load all of it.
    placing.warm()
    for path in (COMCAT, NCEI):
        sum(1 for _ in read(path))
    warm = time.perf_counter() - warm_started
    first = [import_file(ctx, doctrine, classifier, path) for path in (COMCAT, NCEI)]
    again = [import_file(ctx, doctrine, classifier, path) for path in (COMCAT, NCEI)]
    rows = sum(i.rows for i in first)
    seconds = sum(i.seconds for i in first)
    stored = sum(i.stored for i in first)
    stored_again = sum(i.stored for i in again)
    return [
        Row(
            "catalogue import: ComCat AZ box + NCEI table",
            f"{rows / seconds:,.0f} rows/s",
            "(reported)",
            None,
            f"{rows:,} rows in {seconds:.1f} s, {stored / seconds:,.0f} reports stored/s "
            f"(geography loaded first, {warm:.1f} s; 1 process); "
            + "; ".join(_said(i) for i in first),
        ),
        Row(
            "catalogue import: hazard incidents created",
            f"{sum(i.incidents for i in first):,} incidents",
            "(reported)",
            None,
            f"{stored:,} reports, {sum(i.joined for i in first)} joined "
            "to the same quake from the other catalogue",
        ),
        Row(
            "catalogue import run again",
            f"{stored_again} stored",
            "0 stored",
            stored_again == 0
            and all(a.repeated == f.stored for a, f in zip(again, first, strict=True)),
            f"{sum(a.repeated for a in again):,} recognised as already there",
        ),
    ]


def _said(done: Imported) -> str:
    return (
        f"{done.format}: {done.rows:,} read, {done.stored:,} stored, {done.outside:,} beyond "
        f"the felt range, {len(done.rejected):,} rejected"
    )


def _warnings(engine: Engine, doctrine: Doctrine, owner: str) -> list[Row]:
    step = timedelta(days=warnings.LOOKBACK_DAYS)
    today = FIRST_DAY + step
    scans = 0
    started = time.perf_counter()
    while today <= LAST_DAY + step:
        warnings.scan(engine, today, doctrine, owner)
        today += step
        scans += 1
    seconds = time.perf_counter() - started
    raised = _raised(engine)
    days = [(region, day) for region, day, _ in raised]
    rows = [_sequence(label, shock, where, days) for label, (shock, where) in SEQUENCES.items()]
    national = {day: method for region, day, method in raised if region == ""}
    others = [
        first
        for first in _episodes(sorted(national))
        if not any(
            0 <= (first - shock).days + 1 <= SEQUENCE_DAYS for shock, _ in SEQUENCES.values()
        )
    ]
    # A scan looks first at the day LOOKBACK_DAYS before it: with this replay's step, a day a
    # whole number of steps after FIRST_DAY.
    carried = [
        d for d in others if national[d] == "shift" and (d - FIRST_DAY).days % step.days == 0
    ]
    years = ((LAST_DAY - FIRST_DAY).days + 1) / 365.25
    abroad = sum(1 for region, _ in days if region and not region.startswith("AZ"))
    rows.append(
        Row(
            "hazard incidents: other earthquake warnings",
            f"{len(others) / years:.2f} per year ({len(others)} in {years:.0f} years)",
            "(reported)",
            None,
            f"national episodes; first days: {', '.join(map(str, others)) or 'none'}; "
            f"{len(carried)} of them a CUSUM shift on the first day a scan looks at (the sum "
            "run in before it is not restarted after an alarm); "
            f"{len(raised)} warning days in all ({abroad} in countries abroad); "
            f"{scans} scans in {seconds:.1f} s",
        )
    )
    return rows


def _raised(engine: Engine) -> list[tuple[str, date, str]]:
    """(region, day, method) of every warning of the hazards' daily counts."""
    query = select(WarningRow.region, WarningRow.period_start, WarningRow.method).where(
        WarningRow.threat == THREAT,
        WarningRow.source == warnings.COUNTS,
        WarningRow.scale == "day",
    )
    with session_factory(engine)() as session:
        return [(region, day, method) for region, day, method in session.execute(query)]


def _sequence(label: str, shock: date, district: str, raised: list[tuple[str, date]]) -> Row:
    def first(region: str) -> date | None:
        days = [d for r, d in raised if r == region and 0 <= (d - shock).days <= IN_TIME_DAYS]
        return min(days, default=None)

    national, local = first(""), first(district)
    found = [d for d in (national, local) if d is not None]
    value = f"warned after {(min(found) - shock).days} day(s)" if found else "missed"
    return Row(
        f"hazard incidents: {label} earthquake warning",
        value,
        f"within {IN_TIME_DAYS} day",
        bool(found),
        f"main shock {shock}; nationally: {national or 'no'}, in {district}: {local or 'no'}",
    )


def _episodes(days: list[date]) -> list[date]:
    """The first day of each run of warning days at most EPISODE_GAP days apart."""
    firsts: list[date] = []
    last: date | None = None
    for day in days:
        if last is None or (day - last).days > EPISODE_GAP:
            firsts.append(day)
        last = day
    return firsts
