"""Reading earthquake catalogues into intake drafts: both formats from small inline samples,
the reach rule, and bad rows reported with their line and column."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from qalxan.alerts import catalogues
from qalxan.alerts.catalogue_reach import Reach, distance_km, felt_km, within_km
from qalxan.alerts.catalogue_reading import Reading
from qalxan.errors import InvalidInput
from qalxan.intake.draft import check
from qalxan.intake.sources import Row
from tests.alerts.catalogue_samples import NCEI, write, write_all


def drafts(path: Path, reach: Reach | None = None) -> tuple[Reading, dict[int, Row]]:
    reading = catalogues.read(path, reach=reach)
    return reading, {row.line: row for row in reading}


def test_formats_are_told_apart_by_their_header(tmp_path: Path) -> None:
    service, extract, ncei = write_all(tmp_path)
    assert catalogues.detect(service) == "usgs-comcat"
    assert catalogues.detect(extract) == "usgs-comcat"
    assert catalogues.detect(ncei) == "ncei-significant"
    other = write(tmp_path / "reports.csv", ["id,text,date", "a,b,2026-01-01"])
    with pytest.raises(InvalidInput, match="not an earthquake catalogue") as caught:
        catalogues.detect(other)
    assert caught.value.field == "format"
    with pytest.raises(InvalidInput, match="format: one of"):
        catalogues.read(service, "quakeml")


def test_comcat_service_rows_become_graded_public_hazard_drafts(tmp_path: Path) -> None:
    reading, rows = drafts(write_all(tmp_path)[0])
    assert sorted(rows) == [2, 3, 4, 5]
    baku = rows[2].draft
    assert baku.event_type == "earthquake"
    assert baku.observed_at == datetime(2000, 11, 25, 18, 9, 11, 400000, tzinfo=UTC)
    assert (baku.lat, baku.lon) == (40.245, 49.946)
    assert baku.origin_ref == "usgs:ustest0001"
    assert (baku.source, baku.source_reliability, baku.info_credibility) == ("USGS ComCat", "A", 1)
    assert (baku.classification, baku.tlp, baku.language) == ("unclassified", "CLEAR", "en")
    assert baku.place_text == "Caspian Sea, offshore Azerbaijan"
    for said in ("magnitude 6.8 (mww)", "depth of 50 km", "offshore Azerbaijan", "USGS ComCat"):
        assert said in baku.narrative
    assert rows[5].draft.info_credibility == 2  # an automatic solution
    assert check(baku) is not None  # the intake takes it as it is
    assert reading.rows == 8 and reading.outside == 1  # Tehran
    assert reading.rejected == [
        "line 7: type: 'quarry blast' is not an earthquake (only earthquakes are taken)",
        "line 8: latitude: 'north' is not a number",
        "line 9: id: missing (ComCat's event id keys the quake)",
    ]


def test_comcat_extract_rows_are_keyed_by_origin_and_named_by_place(tmp_path: Path) -> None:
    reading, rows = drafts(write_all(tmp_path)[1])
    assert list(rows) == [2]
    quake = rows[2].draft
    assert quake.origin_ref == "usgs:2000-11-26T06:36:36.28@40.048,50.188"
    assert "depth not given" in quake.narrative
    assert "Caspian Sea off Baku, Azerbaijan" in quake.narrative  # no place in the extract
    assert quake.place_text is None  # the intake places it by its point
    assert reading.rejected == ["line 3: time: '25:00:00.00' is not an ISO 8601 time"]
    assert reading.outside == 1


def test_ncei_rows_carry_their_effects_and_partial_dates(tmp_path: Path) -> None:
    reading, rows = drafts(write_all(tmp_path)[2])
    assert sorted(rows) == [5, 6, 7]
    baku = rows[5].draft
    assert baku.origin_ref == "ncei:2000-11-25T18:09:11.4@40.245,49.946"
    assert (baku.killed, baku.injured) == (31, 430)
    assert (baku.source, baku.source_reliability, baku.info_credibility) == ("NOAA NCEI", "A", 2)
    assert baku.place_text == "Azerbaijan: Baku"
    assert "31 killed; 430 injured; damage limited" in baku.narrative
    zaqatala = rows[6].draft
    assert zaqatala.damage == "damage severe (about $5 to $24 million); 3,100 houses destroyed"
    old = rows[7].draft  # no time of day; deaths only as NCEI's description "many"
    assert old.observed_at == datetime(1931, 4, 27, tzinfo=UTC)
    assert "(time of day not recorded)" in old.narrative
    assert old.killed == 101 and "At least 101 killed (NCEI: many, 101 to 1,000)" in old.narrative
    assert old.origin_ref == "ncei:1931-04-27@39.200,46.000"
    assert reading.rows == 9 and reading.outside == 1  # Chile; the parameters line is no quake
    assert reading.rejected == [
        "line 3: Year: 2150 BC is before 1900, the earliest the intake keeps",
        "line 4: Year: 1850 is before 1900, the earliest the intake keeps",
        "line 8: Dy: missing (the intake needs the day of the quake)",
        "line 10: Latitude: missing (a quake without its epicentre cannot be placed)",
        "line 11: Mo: 'May' is not a number",
    ]


def test_an_ncei_row_has_one_reference_in_tsv_and_csv(tmp_path: Path) -> None:
    """The TSV the search page exports and a CSV conversion (numbers as ``11.0``) name the
    same quakes, so importing both stores each once."""
    tsv = write_all(tmp_path)[2]
    as_csv = [
        ",".join(
            f'"{cell}"' if "," in cell else (f"{cell}.0" if cell.isdigit() else cell)
            for cell in line.replace('"', "").split("\t")
        )
        for line in NCEI
    ]
    csv_path = write(tmp_path / "ncei.csv", [as_csv[0], *as_csv[2:]])
    assert catalogues.detect(csv_path) == "ncei-significant"
    refs = {r.draft.origin_ref for r in catalogues.read(tsv)}
    assert {r.draft.origin_ref for r in catalogues.read(csv_path)} == refs


def test_a_row_out_of_step_with_the_header_is_rejected_not_fatal(tmp_path: Path) -> None:
    lines = [
        "date,time,long,lat,mag",
        "2000-11-26,06:36:36.28,50.1,40.0,4.7,9",
        "2000-11-27,06:36:36.28,50.1,40.0,4.7",
    ]
    path = write(tmp_path / "x.csv", lines)
    reading, rows = drafts(path)
    assert list(rows) == [3]
    assert reading.rejected == ["line 2: file: more cells than the header has columns"]


def test_the_felt_range_grows_with_magnitude() -> None:
    assert felt_km(4.0) == pytest.approx(52.5, abs=0.1)
    assert felt_km(6.0) == pytest.approx(380.2, abs=0.1)
    assert felt_km(None) == felt_km(5.0)
    assert felt_km(8.5) == 1000.0  # the cap


def test_distance_to_azerbaijan() -> None:
    assert distance_km(40.41, 49.87) == 0.0  # Baku
    assert distance_km(40.05, 50.6) == 0.0  # its Caspian sector
    assert 30 < distance_km(41.72, 44.79) < 60  # Tbilisi
    assert 300 < distance_km(35.70, 51.40) < 340  # Tehran
    assert not within_km(35.70, 51.40, 300) and within_km(35.70, 51.40, 340)


@pytest.mark.parametrize("lat", [22.0, 30.0, 36.0, 39.0, 41.0, 42.0, 44.0, 50.0])
@pytest.mark.parametrize("lon", [35.0, 40.0, 44.0, 47.0, 52.0, 55.0, 65.0])
def test_the_quick_bound_never_drops_a_quake_in_reach(lat: float, lon: float) -> None:
    assert within_km(lat, lon, distance_km(lat, lon) + 0.01)


def test_the_reach_is_chosen_by_the_operator(tmp_path: Path) -> None:
    service = write_all(tmp_path)[0]
    assert Reach(km=350).keeps(35.70, 51.40, 4.6)  # Tehran, 320 km
    assert not Reach(km=300).keeps(35.70, 51.40, 4.6)
    assert Reach(everything=True).keeps(-36.1, -72.9, 8.8)  # Chile
    reading, rows = drafts(service, Reach(everything=True))
    assert 6 in rows and reading.outside == 0
    with pytest.raises(InvalidInput) as caught:
        Reach(km=-1)
    assert caught.value.field == "within"
