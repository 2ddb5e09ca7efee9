"""Geolocation: accuracy on real place names and event notes, and resolver throughput.

(a) NCEI significant earthquakes in Azerbaijan: the location name resolved as text, its district
    compared with the district that holds the epicentre. (b) ACLED events worldwide: the notes
    resolved without and with the country hint, scored on the country and on the distance to
    the event's coordinates. (c) Texts resolved per second, in process.
"""

from __future__ import annotations

import csv
import os
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pycountry

from benchmarks.common import Row
from qalxan.geo import locate_point, resolve_text
from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.frame import flat_km
from qalxan.geo.measure import distance_km

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
NCEI = SHARED / "data/events/earthquakes/ncei_wds_significant_earthquakes_2150BC_2023.tsv"
ACLED = SHARED / "data/events/acled/acled_2022-01_04_dev.csv"
NEAR_KM = 25.0  # NCEI epicentres are given to 0.1 degree and older ones are estimates
_SIZE_TAG = re.compile(r"\s*\[size=[^\]]*\]\s*$")
SAMPLE_TEXTS = [
    "Tovuz rayonunun Ağdam kəndində atəşkəs pozulub, iki hərbçi yaralanıb.",
    "В Газахском районе задержаны двое нарушителей государственной границы.",
    "Protest in Ganja city over gas prices; police detained 12 people near the central market.",
    "Lənkəran şəhərində narkotik vasitələri ilə saxlanılan şəxs həbs edilib.",
    "Из Гянджи в Баку доставлен задержанный на границе с Грузией.",
]


@dataclass(frozen=True)
class NceiCase:
    text: str
    lat: float
    lon: float


def ncei_cases() -> list[NceiCase] | None:
    """Azerbaijani rows that name a place below the country, or None when the data is absent."""
    if not NCEI.is_file():
        return None
    cases = []
    with NCEI.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            name = row.get("Location Name") or ""
            country, _, place = name.partition(":")
            if "AZERBAIJAN" not in re.split(r"[-,;]", country) or not place.strip():
                continue
            cases.append(NceiCase(name, float(row["Latitude"]), float(row["Longitude"])))
    return cases


# The district each NCEI location name names (the project's own reading of the names; where a
# name lists several places or a region, each of their districts is right).
NCEI_NAMED: dict[str, set[str]] = {
    "SHEMAKHA (SAMAXI)": {"AZ-SMI"},
    "SHEMAKHA (SEMACHA)": {"AZ-SMI"},
    "SEMACHA; N IRAN": {"AZ-SMI"},
    "APSCHERON PENINSULA": {"AZ-ABS", "AZ-BA", "AZ-SM"},
    "ASTARA, BILASUVAR, IMISLI": {"AZ-AST", "AZ-BIL", "AZ-IMI"},
    "AGDAS, UCAR, AGALI": {"AZ-AGS", "AZ-UCA"},
    "BAKU": {"AZ-BA"},
    "ZAGATALA": {"AZ-ZAQ"},
    "SHAKI-ZAQATALA": {"AZ-SA", "AZ-SAK", "AZ-ZAQ", "AZ-QAX", "AZ-OGU", "AZ-BAL", "AZ-QAB"},
}


def ncei_named_score(cases: list[NceiCase]) -> tuple[float, list[str]]:
    """Share of rows whose name resolves to the district it names (NCEI_NAMED)."""
    right = 0
    misses = []
    for case in cases:
        wanted = NCEI_NAMED[case.text.partition(":")[2].strip()]
        found = resolve_text(case.text)
        if found is not None and found.admin1 in wanted:
            right += 1
        else:
            misses.append(f"{case.text!r}: {found and found.admin1} not in {sorted(wanted)}")
    return right / len(cases), misses


def ncei_scores(cases: list[NceiCase]) -> tuple[float, float, list[str]]:
    """(strict accuracy, accuracy within NEAR_KM, misses)."""
    strict = near = 0
    misses = []
    adm2 = load_gazetteer().adm2
    for case in cases:
        truth = locate_point(case.lat, case.lon).admin1
        found = resolve_text(case.text)
        admin1 = found.admin1 if found else None
        if admin1 == truth:
            strict += 1
            near += 1
            continue
        gap = flat_km(adm2[admin1], case.lat, case.lon) if admin1 and admin1 in adm2 else None
        if gap is not None and gap <= NEAR_KM:
            near += 1
        misses.append(f"{case.text!r}: {admin1} vs {truth} ({gap and round(gap, 1)} km)")
    return strict / len(cases), near / len(cases), misses


@dataclass(frozen=True)
class AcledCase:
    text: str
    country: str
    lat: float
    lon: float


def acled_cases() -> list[AcledCase] | None:
    if not ACLED.is_file():
        return None
    cases = []
    with ACLED.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            country = pycountry.countries.get(numeric=f"{int(float(row['iso'])):03d}")
            code = country.alpha_2 if country else "XK"  # ACLED's 0 is Kosovo
            text = _SIZE_TAG.sub("", row["notes"])
            cases.append(AcledCase(text, code, float(row["latitude"]), float(row["longitude"])))
    return cases


def acled_scores(cases: list[AcledCase], hint: bool) -> tuple[float, float, float]:
    """(country accuracy, median error in km over resolved rows, share of rows resolved)."""
    right = 0
    errors = []
    for case in cases:
        found = resolve_text(case.text, case.country if hint else None)
        if found is None:
            continue
        right += found.country == case.country
        errors.append(distance_km((found.lat, found.lon), (case.lat, case.lon)))
    median = statistics.median(errors) if errors else float("nan")
    return right / len(cases), median, len(errors) / len(cases)


def throughput(texts: list[str]) -> tuple[float, float]:
    """(texts per second, mean ms per text), after a warm-up pass."""
    for text in texts[:50]:
        resolve_text(text)
    started = time.perf_counter()
    for text in texts:
        resolve_text(text)
    elapsed = time.perf_counter() - started
    return len(texts) / elapsed, elapsed / len(texts) * 1000


def run() -> list[Row]:
    rows = []
    cases = ncei_cases()
    if cases is None:
        rows.append(Row("geo: NCEI Azerbaijan admin1", "skipped: data absent", ">= 0.90", None))
    else:
        strict, near, _ = ncei_scores(cases)
        named, _ = ncei_named_score(cases)
        rows.append(
            Row(
                "geo: NCEI Azerbaijan place names, admin1 of the named place",
                f"{named:.2f}",
                ">= 0.90",
                named >= 0.90,
                f"{len(cases)} rows naming a place below the country",
            )
        )
        rows.append(
            Row(
                "geo: NCEI Azerbaijan admin1, same district",
                f"{strict:.2f}",
                "report",
                None,
                f"{len(cases)} rows naming a place; the epicentre is often in the next district",
            )
        )
        rows.append(
            Row(
                f"geo: NCEI Azerbaijan admin1, district within {NEAR_KM:.0f} km of epicentre",
                f"{near:.2f}",
                "report",
                None,
                f"{len(cases)} rows",
            )
        )
    acled = acled_cases()
    if acled is None:
        rows.append(Row("geo: ACLED country accuracy", "skipped: data absent", "", None))
    else:
        for hint in (False, True):
            accuracy, median, resolved = acled_scores(acled, hint)
            label = "with country hint" if hint else "no hint"
            rows.append(
                Row(
                    f"geo: ACLED {label}: country accuracy / median error",
                    f"{accuracy:.3f} / {median:.1f} km",
                    "report",
                    None,
                    f"{len(acled)} notes, {resolved:.1%} resolved",
                )
            )
    texts = [case.text for case in acled] if acled else SAMPLE_TEXTS * 400
    per_second, ms = throughput(texts)
    rows.append(
        Row(
            "geo: resolve_text throughput",
            f"{per_second:,.0f} texts/s ({ms:.3f} ms each)",
            ">= 5,000 texts/s",
            per_second >= 5000,
            f"{len(texts)} texts, mean {statistics.mean(len(t) for t in texts):.0f} chars",
        )
    )
    return rows
