"""Border zone, offshore and Nakhchivan tests, and what lies near a point."""

from __future__ import annotations

import pytest

from qalxan.errors import InvalidInput
from qalxan.geo import (
    admin_shapes,
    admin_units,
    border_distance_km,
    in_border_zone,
    in_nakhchivan,
    is_offshore,
    near_pipelines,
    nearest_airport,
    pipeline_shapes,
)

BAKU = (40.4093, 49.8671)
GAZAKH = (41.0925, 45.3656)  # a few km from Georgia and Armenia
ORDUBAD = (38.9057, 46.0276)  # on the Araz, the border with Iran
ACG = (40.0, 51.0)


def test_border_zone() -> None:
    assert in_border_zone(*GAZAKH, km=20)
    assert in_border_zone(*ORDUBAD, km=10)
    assert not in_border_zone(*BAKU, km=20)  # the Caspian coast is no land border
    assert border_distance_km(*BAKU) > 100
    assert not in_border_zone(41.6941, 44.8337, km=50)  # Tbilisi: near, but abroad


def test_offshore() -> None:
    assert is_offshore(*ACG)
    assert is_offshore(40.2, 50.3)
    assert not is_offshore(*BAKU)
    assert not is_offshore(42.5, 50.0)  # Russia's part of the Caspian
    assert not is_offshore(38.0, 49.5)  # Iran's


def test_nakhchivan() -> None:
    assert in_nakhchivan(*ORDUBAD)
    assert in_nakhchivan(39.2089, 45.4122)
    assert not in_nakhchivan(*BAKU)


def test_pipelines_near_a_point() -> None:
    near = near_pipelines(40.6828, 46.3606, 30)  # Ganja
    codes = [p.code for p in near]
    assert {"P0644", "P0759"} <= set(codes)
    assert [p.distance_km for p in near] == sorted(p.distance_km for p in near)
    btc = next(p for p in near if p.code == "P0644")
    assert btc.name == "Baku-Tbilisi-Ceyhan Pipeline"
    assert near_pipelines(*ORDUBAD, 5) == []
    with pytest.raises(InvalidInput):
        near_pipelines(*BAKU, -1)


def test_nearest_airport() -> None:
    airport, km = nearest_airport(*BAKU)
    assert airport.iata in {"GYD", "ZXT"} and km < 30


def test_shapes_for_maps() -> None:
    units = admin_units()
    assert len(units) == 78
    adm2 = admin_shapes("adm2")
    assert len(adm2["features"]) == 77
    assert {f["properties"]["code"] for f in admin_shapes("adm1")["features"]} == {
        "AZ-NX",
        "mainland",
    }
    baku = next(f for f in adm2["features"] if f["properties"]["code"] == "AZ-BA")
    assert baku["properties"]["names"]["az"] == "Bakı"
    assert baku["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert len(pipeline_shapes()["features"]) >= 40
