"""Coordinates to places: districts in Azerbaijan, countries abroad, bad input refused."""

from __future__ import annotations

import math

import pytest

from qalxan.errors import InvalidInput
from qalxan.geo import distance_km, locate_point, validate_point


@pytest.mark.parametrize(
    ("lat", "lon", "code", "parent"),
    [
        (40.4093, 49.8671, "AZ-BA", None),  # Baku, city centre
        (40.6828, 46.3606, "AZ-GA", None),  # Ganja
        (39.2089, 45.4122, "AZ-NV", "AZ-NX"),  # Nakhchivan city
        (38.9057, 46.0276, "AZ-ORD", "AZ-NX"),  # Ordubad
        (40.9981, 45.6285, "AZ-TOV", None),  # Tovuz
        (38.7529, 48.8475, "AZ-LA", None),  # Lankaran
    ],
)
def test_points_in_azerbaijan(lat: float, lon: float, code: str, parent: str | None) -> None:
    found = locate_point(lat, lon)
    assert (found.country, found.admin1, found.parent) == ("AZ", code, parent)
    assert not found.offshore
    assert found.distance_km == 0


@pytest.mark.parametrize(
    ("lat", "lon", "country"),
    [
        (41.6941, 44.8337, "GE"),  # Tbilisi
        (35.6892, 51.3890, "IR"),  # Tehran
        (40.1792, 44.4991, "AM"),  # Yerevan
        (38.4200, 48.8700, "IR"),  # Astara, Iran, across the river from Astara, Azerbaijan
        (55.7558, 37.6173, "RU"),  # Moscow
        (-33.8688, 151.2093, "AU"),
    ],
)
def test_points_abroad_resolve_to_their_country(lat: float, lon: float, country: str) -> None:
    found = locate_point(lat, lon)
    assert found.country == country, found.explanation
    assert found.admin1 is None


def test_caspian_point_is_offshore_with_the_nearest_unit() -> None:
    found = locate_point(40.0, 51.0)  # the Azeri-Chirag-Guneshli fields
    assert found.country == "AZ" and found.offshore
    assert found.admin1 is not None and found.distance_km > 10


def test_open_ocean_has_no_country() -> None:
    assert locate_point(30.0, -40.0).country is None


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [(91, 0, "lat"), (-90.5, 0, "lat"), (0, 181, "lon"), (0, -180.01, "lon"), (math.nan, 0, "lat")],
)
def test_invalid_coordinates_name_the_field(lat: float, lon: float, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        locate_point(lat, lon)
    assert caught.value.field == field
    with pytest.raises(InvalidInput):
        validate_point(lat, lon)


def test_distance_km() -> None:
    baku, ganja = (40.4093, 49.8671), (40.6828, 46.3606)
    assert distance_km(baku, ganja) == pytest.approx(297, abs=3)
    assert distance_km(baku, baku) == 0
