"""The real catalogues (``../shared/data/events/earthquakes``, skipped when absent): every row
read or rejected with a reason, the reach applied, and the Azerbaijan subsets imported as
placed incidents, once."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from qalxan.alerts import catalogues
from qalxan.alerts.catalogue_reach import Reach, distance_km, felt_km
from qalxan.settings import Settings
from tests.alerts.test_catalogues_import import importer, incident_of, load
from tests.conftest import SHARED

QUAKES = SHARED / "data" / "events" / "earthquakes"
COMCAT = QUAKES / "comcat_M4.5_iran_vicinity_1973_2015_ETAS.csv"
COMCAT_AZ = QUAKES / "DERIVED_comcat_M4.5_AZ_bbox_1973_2015.csv"
NCEI = QUAKES / "ncei_wds_significant_earthquakes_2150BC_2023.tsv"
NCEI_AZ = QUAKES / "DERIVED_ncei_significant_eq_south_caucasus_bbox.csv"
BAKU = "ncei:2000-11-25T18:09:11.4@40.245,49.946"
ZAQATALA = "ncei:2012-05-07T04:40:27.7@41.549,46.789"


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference data absent: {path} (set QALXAN_SHARED_DIR)")
    return path


def data_lines(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        delimiter = "\t" if path.suffix == ".tsv" else ","
        return sum(1 for _ in csv.reader(handle, delimiter=delimiter)) - 1


@pytest.mark.parametrize("path", [COMCAT, COMCAT_AZ])
def test_every_comcat_row_is_read(path: Path) -> None:
    reading = catalogues.read(shared(path), reach=Reach(everything=True))
    kept = list(reading)
    assert reading.rejected == []
    assert len(kept) == reading.rows == data_lines(path) == reading.count()
    assert len({r.draft.origin_ref for r in kept}) == len(kept)  # one reference per quake


def test_the_felt_range_keeps_the_quakes_that_concern_azerbaijan() -> None:
    reading = catalogues.read(shared(COMCAT))
    kept = [r.draft for r in reading]
    assert reading.outside + len(kept) == reading.rows
    assert 0 < len(kept) < reading.rows / 5  # a regional catalogue, mostly Iran
    for draft in kept:
        assert draft.lat is not None and draft.lon is not None
        assert distance_km(draft.lat, draft.lon) <= felt_km(_magnitude(draft.narrative))


def test_the_ncei_table_rejects_only_what_the_intake_cannot_store() -> None:
    reading = catalogues.read(shared(NCEI), reach=Reach(everything=True))
    kept = list(reading)
    refs = {r.draft.origin_ref: r.draft for r in kept}
    assert reading.rows + 1 == data_lines(NCEI)  # the search's parameters are no quake
    assert len(kept) + len(reading.rejected) == reading.rows
    # One quake is listed twice, once per country it struck (Myanmar and Yunnan, 2008-12-25):
    # one origin, one reference, stored once.
    assert len(kept) - len(refs) == 1
    columns = Counter(problem.split(": ")[1] for problem in reading.rejected)
    assert set(columns) <= {"Year", "Mo", "Dy", "Latitude", "Longitude"}
    assert columns["Year"] > 900  # most of the table is older than 1900, some of it BC
    assert any(" BC is before 1900" in p for p in reading.rejected)
    assert (refs[BAKU].killed, refs[BAKU].injured) == (31, 430)
    assert ZAQATALA in refs


def test_the_ncei_subset_and_table_name_the_same_quakes() -> None:
    table = {r.draft.origin_ref for r in catalogues.read(shared(NCEI))}
    subset = {r.draft.origin_ref for r in catalogues.read(shared(NCEI_AZ))}
    assert subset and subset <= table


def test_the_azerbaijan_subsets_become_placed_incidents_once(
    engine: Engine, settings: Settings
) -> None:
    ctx = importer(engine, settings)
    first = [load(ctx, shared(path)) for path in (COMCAT_AZ, NCEI_AZ)]
    assert all(i.stored > 0 for i in first)
    assert incident_of(engine, BAKU).admin1 == "AZ-BA"
    assert incident_of(engine, ZAQATALA).admin1 == "AZ-ZAQ"
    again = [load(ctx, path) for path in (COMCAT_AZ, NCEI_AZ)]
    assert [i.stored for i in again] == [0, 0]
    assert [i.repeated for i in again] == [i.stored for i in first]


def _magnitude(narrative: str) -> float:
    return float(narrative.split("magnitude ", 1)[1].split()[0].rstrip(","))
