"""The shipped gazetteer: complete, consistent, and refused loudly when broken."""

from __future__ import annotations

import pytest

from qalxan.geo import data_files
from qalxan.geo.data_files import GazetteerError, load_gazetteer


def test_every_unit_has_names_a_centre_and_a_shape() -> None:
    gazetteer = load_gazetteer()
    assert len(gazetteer.units) == 78
    for code, unit in gazetteer.units.items():
        assert {"az", "ru", "en"} <= set(unit.names), code
        assert code in gazetteer.adm2 or unit.kind == "autonomous republic"
    nakhchivan = [u.code for u in gazetteer.units.values() if u.parent == "AZ-NX"]
    assert sorted(nakhchivan) == [
        "AZ-BAB", "AZ-CUL", "AZ-KAN", "AZ-NV", "AZ-ORD", "AZ-SAD", "AZ-SAH", "AZ-SAR"
    ]  # fmt: skip


def test_places_lie_in_known_units() -> None:
    gazetteer = load_gazetteer()
    assert len(gazetteer.places) >= 245
    assert all(place.admin1 in gazetteer.units for place in gazetteer.places.values())
    baku = gazetteer.places["587084"]
    assert baku.admin1 == "AZ-BA" and "Баку" in baku.names


def test_pipelines_and_airports() -> None:
    gazetteer = load_gazetteer()
    codes = {p.code for p in gazetteer.pipelines}
    assert {"P0644", "P0759", "P0643"} <= codes
    assert {a.iata for a in gazetteer.airports} >= {"GYD", "KVD", "NAJ", "LLK"}


def test_a_broken_file_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    real = data_files.read_text

    def broken(name: str) -> str:
        text = real(name)
        return text.replace('"lat": 40.37767', '"lat": "north"') if name == "places.json" else text

    monkeypatch.setattr(data_files, "read_text", broken)
    load_gazetteer.cache_clear()
    try:
        with pytest.raises(GazetteerError, match=r"places\.json: places\[\d+\]\.lat"):
            load_gazetteer()
    finally:
        monkeypatch.undo()
        load_gazetteer.cache_clear()
        load_gazetteer()
