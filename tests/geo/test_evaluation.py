"""Accuracy on real place names: the NCEI catalogue's Azerbaijani earthquakes.

First, whether each location name resolves to the district it names (the project's reading of
the names, ``benchmarks.bench_geo.NCEI_NAMED``). Then, against the epicentres:

Each row's location name ("AZERBAIJAN:  SHEMAKHA (SEMACHA)") is resolved as text and its
district compared with the district that holds the epicentre. The names are those of the
nearest well-known town, and an epicentre (given to 0.1 degree, older ones estimated) often
lies in the next district: so the test counts a row right when the resolved district holds the
epicentre or lies within 25 km of it, and records the strict rate as a floor.
"""

from __future__ import annotations

import csv
import re

from benchmarks.bench_geo import ncei_cases, ncei_named_score

from qalxan.geo import locate_point, resolve_text
from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.frame import flat_km
from tests.geo.shared import NCEI, require

NEAR_KM = 25.0


def test_ncei_azerbaijan_place_names() -> None:
    path = require(NCEI)
    rows = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            country, _, place = (row.get("Location Name") or "").partition(":")
            if "AZERBAIJAN" in re.split(r"[-,;]", country) and place.strip():
                rows.append((row["Location Name"], float(row["Latitude"]), float(row["Longitude"])))
    assert len(rows) >= 10
    adm2 = load_gazetteer().adm2
    strict = near = 0
    for text, lat, lon in rows:
        truth = locate_point(lat, lon).admin1
        found = resolve_text(text)
        assert found is not None and found.country == "AZ", text
        strict += found.admin1 == truth
        near += found.admin1 in adm2 and flat_km(adm2[found.admin1], lat, lon) <= NEAR_KM
    assert near / len(rows) >= 0.90
    assert strict / len(rows) >= 0.5


def test_ncei_place_names_resolve_to_the_district_they_name() -> None:
    require(NCEI)
    cases = ncei_cases()
    assert cases is not None and len(cases) >= 10
    score, misses = ncei_named_score(cases)
    assert score >= 0.90, misses
