"""Districts of Azerbaijan as CAP areas: the unit's boundary as polygons, its code as a geocode.

A CAP polygon is one closed ring of ``lat,lon`` pairs with no holes, and receivers (phones,
sirens, partner systems) handle a few hundred points at most. The platform's boundaries
(:mod:`qalxan.geo`) are therefore reduced as follows, per part of the unit (a district made of
several parts, such as one with islands, gives one polygon per part):

1. the outer ring only: a hole (a city enclosed by the district) is covered too, which errs on
   the side of warning; the ``ISO3166-2`` geocode names the district exactly;
2. Douglas-Peucker simplification, starting at :data:`START_TOLERANCE` degrees and doubling
   until the ring has at most :data:`MAX_POINTS` points (first and last counted);
3. coordinates rounded to :data:`DIGITS` decimals (about a metre).
"""

from __future__ import annotations

from functools import lru_cache

from shapely.geometry import Polygon as ShapelyPolygon
from shapely.geometry.base import BaseGeometry

from qalxan.alerts.geometry import Point
from qalxan.alerts.model import Pair, Polygon
from qalxan.errors import InvalidInput
from qalxan.geo import AdminUnit, load_gazetteer

GEOCODE = "ISO3166-2"
MAX_POINTS = 100
START_TOLERANCE = 0.0005  # degrees, about 50 m
DIGITS = 5


def find_district(text: str, field: str = "district") -> AdminUnit:
    """The unit with the ISO 3166-2 code ``text`` (any case), or the one unit of that name or
    alias in any language; :class:`InvalidInput` naming ``field`` otherwise."""
    key = text.strip().casefold()
    units = load_gazetteer().units
    by_code = {code.casefold(): unit for code, unit in units.items()}
    if key in by_code:
        return by_code[key]
    found = sorted(_names().get(key, ()))
    if len(found) == 1:
        return units[found[0]]
    if found:
        raise InvalidInput(
            f"{field}: {text!r} names several units ({', '.join(found)}): give the code",
            field=field,
        )
    raise InvalidInput(
        f"{field}: {text!r} is no district or city of Azerbaijan (an ISO 3166-2:AZ code such "
        "as AZ-SAK, or its name)",
        field=field,
    )


@lru_cache(maxsize=1)
def _names() -> dict[str, frozenset[str]]:
    names: dict[str, set[str]] = {}
    for code, unit in load_gazetteer().units.items():
        for name in (*unit.names.values(), *unit.aliases):
            names.setdefault(name.casefold(), set()).add(code)
    return {name: frozenset(codes) for name, codes in names.items()}


def district_name(unit: AdminUnit, language: str) -> str:
    """The unit's name in ``language`` (``az-AZ`` uses ``az``), else its English name."""
    return unit.names.get(language.split("-", 1)[0].lower()) or unit.name


def district_geocode(unit: AdminUnit) -> Pair:
    return Pair(GEOCODE, unit.code)


@lru_cache(maxsize=128)
def district_polygons(code: str) -> tuple[Polygon, ...]:
    """The CAP polygons of the unit ``code`` (see the module's rules), largest part first."""
    gazetteer = load_gazetteer()
    shape = gazetteer.adm2.get(code) or gazetteer.adm1.get(code)
    if shape is None:
        raise InvalidInput(f"district: no boundary is known for {code}", field="district")
    parts = sorted(_parts(shape), key=lambda part: -part.area)
    return tuple(Polygon.of(_ring(part)) for part in parts)


def _parts(shape: BaseGeometry) -> list[ShapelyPolygon]:
    if isinstance(shape, ShapelyPolygon):
        return [shape]
    return [part for part in getattr(shape, "geoms", ()) if isinstance(part, ShapelyPolygon)]


def _ring(part: ShapelyPolygon) -> list[Point]:
    outline = ShapelyPolygon(part.exterior)
    tolerance = START_TOLERANCE
    simplified = outline
    while len(simplified.exterior.coords) > MAX_POINTS:
        simplified = outline.simplify(tolerance, preserve_topology=True)
        tolerance *= 2
    points = [Point(round(lat, DIGITS), round(lon, DIGITS)) for lon, lat in _coords(simplified)]
    points[-1] = points[0]  # closed explicitly, as CAP requires
    return points


def _coords(polygon: ShapelyPolygon) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y, *_ in polygon.exterior.coords]
