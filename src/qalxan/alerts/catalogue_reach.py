"""Which catalogued quakes concern Azerbaijan: those inside it (land or its Caspian sector) or
near enough to be felt there.

A regional catalogue covers far more than the country (the ComCat extract: 40-65E, 22-42N, most
of Iran); a quake in Kerman is no incident for Baku. By default a quake is kept when its
distance to Azerbaijan is within its **felt range**, the Dobrovolsky radius
``10 ** (0.43 * M)`` km (Dobrovolsky, Zubkov & Miachkin 1979, the radius of the zone a quake of
magnitude M deforms, which is also about where it is felt): M4 52 km, M4.5 86 km, M5 141 km,
M6 380 km, M7 1,023 km, never more than :data:`MAX_FELT_KM`. A quake without a magnitude is
taken as M5: the catalogues list such rows because they did harm. An operator may instead give a
fixed distance, or take everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from qalxan.errors import InvalidInput
from qalxan.geo.frame import flat_km, load_boundary
from qalxan.geo.measure import KM_PER_DEGREE_LAT

DOBROVOLSKY = 0.43
MAX_FELT_KM = 1000.0
UNKNOWN_MAGNITUDE = 5.0
# About 0.5 km: far below the catalogues' location errors, and 8 times fewer vertices.
SIMPLIFY_DEG = 0.005
# The quick bound is shrunk by this much, so that it never exceeds the measured distance.
SAFETY = 0.98


def felt_km(magnitude: float | None) -> float:
    """How far from its epicentre a quake of ``magnitude`` is felt, by the rule above."""
    m = UNKNOWN_MAGNITUDE if magnitude is None else magnitude
    return min(MAX_FELT_KM, 10 ** (DOBROVOLSKY * m))


@dataclass(frozen=True)
class Reach:
    """Which quakes are taken: every one (``everything``), those within ``km`` of Azerbaijan,
    or (``km`` None, the default) those within their felt range of it."""

    everything: bool = False
    km: float | None = None

    def __post_init__(self) -> None:
        if self.km is not None and not (math.isfinite(self.km) and self.km >= 0):
            raise InvalidInput("within: a distance in km, 0 or more", "within")

    def limit_km(self, magnitude: float | None) -> float:
        return self.km if self.km is not None else felt_km(magnitude)

    def keeps(self, lat: float, lon: float, magnitude: float | None) -> bool:
        return self.everything or within_km(lat, lon, self.limit_km(magnitude))

    def describe(self) -> str:
        if self.everything:
            return "every quake"
        if self.km is not None:
            return f"quakes within {self.km:g} km of Azerbaijan"
        return "quakes in Azerbaijan or within their felt range of it (10^(0.43 M) km)"


def within_km(lat: float, lon: float, km: float) -> bool:
    """Whether ``(lat, lon)`` is in Azerbaijan or at most ``km`` from it."""
    if (
        _lower_bound_km(lat, lon, country_shape()[1]) > km
    ):  # most of a regional catalogue stops here
        return False
    return distance_km(lat, lon) <= km


def distance_km(lat: float, lon: float) -> float:
    """Distance from ``(lat, lon)`` to Azerbaijan (its land and its Caspian sector); 0 inside."""
    shape, _ = country_shape()
    if shape.intersects(Point(lon, lat)):
        return 0.0
    return flat_km(shape, lat, lon)


@lru_cache(maxsize=1)
def country_shape() -> tuple[BaseGeometry, tuple[float, float, float, float]]:
    """Azerbaijan's land and Caspian sector as one prepared shape, and its bounds."""
    boundary = load_boundary()
    shape = unary_union([boundary.territory, boundary.sector]).simplify(SIMPLIFY_DEG)
    shapely.prepare(shape)
    return shape, shape.bounds


def _lower_bound_km(lat: float, lon: float, bounds: tuple[float, float, float, float]) -> float:
    """A little less than the distance to the country's bounding box (degrees of longitude
    taken at the latitude, of the point or the box, where they are shortest): never more than
    :func:`distance_km`."""
    west, south, east, north = bounds
    dlat = max(0.0, south - lat, lat - north)
    dlon = max(0.0, west - lon, lon - east)
    shortest = KM_PER_DEGREE_LAT * math.cos(math.radians(max(abs(lat), abs(north), abs(south))))
    return SAFETY * math.hypot(dlat * KM_PER_DEGREE_LAT, dlon * shortest)
