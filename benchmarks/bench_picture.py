"""The threat picture at scale (:mod:`benchmarks.picture_scale`), and early warning on real
data.

- **Earthquakes**: the USGS ComCat M4.5+ catalogue of the region (1973-2015) and the NCEI
  significant earthquakes of the South Caucasus, merged (the same quake in both counted once),
  each located by the product's point-in-polygon (Azerbaijan's districts, its Caspian sector,
  or the country abroad), counted by day in Azerbaijan and watched with the bundled hazard
  rule. The detector must flag the 2000 Baku and 2012 Zaqatala sequences; reported: the delay
  from the main shock to the first warning, and the other warning episodes per year (listed:
  some are real swarms).
- **ACLED surges**: the weekly event counts per country of the ACLED development split
  (17 weeks of 2022, countries with at least one event a week on average). Surges of known
  size (a multiple of the country's mean so far) are injected into one week, 5 placements per
  country; reported: the share warned within two weeks and the delay, against surge size, and
  the warning episodes per series-year of the real counts with nothing injected.
"""

from __future__ import annotations

import csv
import os
import random
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from benchmarks import picture_scale
from benchmarks.common import Row
from qalxan.geo.measure import distance_km
from qalxan.geo.points import locate_point
from qalxan.picture.detect import Rule, episodes, scan
from qalxan.picture.warning_rules import rule_for

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
EVENTS = SHARED / "data" / "events"
COMCAT = EVENTS / "earthquakes" / "DERIVED_comcat_M4.5_AZ_bbox_1973_2015.csv"
NCEI = EVENTS / "earthquakes" / "DERIVED_ncei_significant_eq_south_caucasus_bbox.csv"
ACLED = EVENTS / "acled" / "acled_2022-01_04_dev.csv"

FIRST_DAY = date(1973, 1, 1)
LAST_DAY = date(2015, 12, 31)
SEQUENCES = {"Baku 2000": date(2000, 11, 25), "Zaqatala 2012": date(2012, 5, 7)}
# A warning within this many days after a main shock belongs to its sequence (aftershocks).
SEQUENCE_DAYS = 180
SAME_QUAKE_KM = 100.0
ACLED_FIRST_WEEK = date(2022, 1, 3)
ACLED_WEEKS = 17
SURGE_SIZES = (0.5, 1.0, 2.0, 3.0, 5.0)
PLACEMENTS = 5
SEED = 7


def run() -> list[Row]:
    rows = picture_scale.run()
    if not COMCAT.exists() or not ACLED.exists():
        return [*rows, Row("early warning", "skipped", "", None, f"data absent: {EVENTS}")]
    return rows + _earthquakes() + _acled()


def _quakes() -> list[tuple[date, float, float]]:
    found = []
    with COMCAT.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found.append((date.fromisoformat(row["date"]), float(row["lat"]), float(row["long"])))
    with NCEI.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not (row["Year"] and row["Mo"] and row["Dy"] and row["Latitude"]):
                continue
            day = date(int(row["Year"]), int(float(row["Mo"])), int(float(row["Dy"])))
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            if not FIRST_DAY <= day <= LAST_DAY:
                continue
            if any(
                d == day and distance_km((lat, lon), (a, b)) < SAME_QUAKE_KM for d, a, b in found
            ):
                continue
            found.append((day, lat, lon))
    return found


def _earthquakes() -> list[Row]:
    quakes = _quakes()
    days = (LAST_DAY - FIRST_DAY).days + 1
    national = np.zeros(days, np.int64)
    regions: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(days, np.int64))
    for day, lat, lon in quakes:
        where = locate_point(lat, lon)
        if where.country == "AZ":
            national[(day - FIRST_DAY).days] += 1
            regions[where.admin1 or "offshore"][(day - FIRST_DAY).days] += 1
    rule = rule_for("direction-4-3-10")
    started = time.perf_counter()
    found = episodes(scan(national, rule), gap=7)
    seconds = time.perf_counter() - started
    rows = []
    others = []
    for episode in found:
        first = FIRST_DAY + timedelta(episode[0].period)
        if not any(0 <= (first - d).days + 1 <= SEQUENCE_DAYS for d in SEQUENCES.values()):
            others.append(first)
    for label, main_shock in SEQUENCES.items():
        warned = [
            FIRST_DAY + timedelta(e[0].period)
            for e in found
            if -1 <= (FIRST_DAY + timedelta(e[0].period) - main_shock).days <= 7
        ]
        region = _regional(regions, rule, main_shock)
        rows.append(
            Row(
                f"early warning: {label} earthquake sequence",
                f"warned after {(warned[0] - main_shock).days} day(s)" if warned else "missed",
                "flagged",
                bool(warned),
                f"main shock {main_shock}; in its own district too: {region}",
            )
        )
    years = days / 365.25
    rows.append(
        Row(
            "early warning: other earthquake warnings",
            f"{len(others) / years:.2f} per year ({len(others)} in {years:.0f} years)",
            "(reported)",
            None,
            f"{len(quakes)} quakes, {int(national.sum())} in Azerbaijan; rule "
            f"{rule.name!r}; first days: {', '.join(str(d) for d in others) or 'none'}; "
            f"scan of {days:,} days: {seconds:.2f} s",
        )
    )
    return rows


def _regional(regions: dict[str, np.ndarray], rule: Rule, main_shock: date) -> str:
    t = (main_shock - FIRST_DAY).days
    warned = sorted(
        code
        for code, counts in regions.items()
        if any(t - 1 <= s.period <= t + 7 for s in scan(counts, rule, start=t - 1))
    )
    return ", ".join(warned) or "no district warned"


def _weekly() -> dict[str, np.ndarray]:
    series: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(ACLED_WEEKS, np.int64))
    with ACLED.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            week = (date.fromisoformat(row["event_date"]) - ACLED_FIRST_WEEK).days // 7
            if 0 <= week < ACLED_WEEKS:
                series[row["country"]][week] += 1
    return {k: v for k, v in series.items() if v.mean() >= 1}


def _acled() -> list[Row]:
    series = _weekly()
    rule = rule_for("threat-3-1")
    start = rule.window.minimum + rule.window.guard
    warned = {k: episodes(scan(v, rule, start=start)) for k, v in series.items()}
    count = sum(len(e) for e in warned.values())
    series_years = len(series) * (ACLED_WEEKS - start) / 52
    ukraine = warned.get("Ukraine", [])
    rows = [
        Row(
            "early warning: ACLED weekly counts, nothing injected",
            f"{count / series_years:.2f} warnings per series-year",
            "(reported)",
            None,
            f"{len(series)} countries, weeks {start + 1}-{ACLED_WEEKS} of 2022; real events "
            "count too: Ukraine warned in the week of "
            + (
                str(ACLED_FIRST_WEEK + timedelta(weeks=ukraine[0][0].period)) if ukraine else "none"
            ),
        )
    ]
    rng = random.Random(SEED)
    for size in SURGE_SIZES:
        hits = total = 0
        delays = []
        for counts in series.values():
            for _ in range(PLACEMENTS):
                week = rng.randrange(8, ACLED_WEEKS - 2)
                injected = counts.copy()
                injected[week] += max(1, round(size * counts[:week].mean()))
                total += 1
                soon = [s for s in scan(injected, rule, start=week) if s.period <= week + 2]
                if soon:
                    hits += 1
                    delays.append(soon[0].period - week)
        rows.append(
            Row(
                f"early warning: ACLED surge of {size:g}x the weekly mean",
                f"warned {hits / total:.2f}, delay {np.mean(delays) if delays else 0:.2f} weeks",
                "(reported)",
                None,
                f"{total} injections (one week each), rule {rule.name!r}, "
                f"alpha {rule.alpha}, CUSUM ratio {rule.ratio} limit {rule.limit}",
            )
        )
    return rows
