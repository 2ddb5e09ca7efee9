"""Does a received alert's area touch Azerbaijan, and where does its incident go?

The area is the union of the alert's polygons, circles and ISO 3166 geocodes (``AZ`` for the
whole country, ``AZ-XXX`` for a district or city, with the geography package's boundaries). It
touches the country when it meets Azerbaijan's land or its Caspian sector. The incident is put
at the centroid of the part inside the country (or, when that part is so concave that its
centroid falls outside it, at a point of the part): a warning for the Greater Caucasus is placed
on the Azerbaijani slope, not in Dagestan. A single district named only by its geocode is given
as that district (the intake places it at the district's centre); the country's own geocode
(``AZ``), as the whole country, with no point.

An alert with no geometry at all is placed, when its area descriptions name a place in
Azerbaijan, at that place (the geography package's reading of the text).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely import affinity
from shapely.geometry import Point
from shapely.geometry import Polygon as ShapelyPolygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from qalxan.alerts.catalogue_reach import country_shape
from qalxan.alerts.model import Area, Info
from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.resolve import resolve_text

COUNTRY = "AZ"
COUNTRY_CODES = frozenset({"AZ", "AZE", "031"})
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Placed:
    """Where an alert's incident goes: a point, or a district (``admin1``) without one."""

    lat: float | None
    lon: float | None
    admin1: str | None
    how: str


def place_in_country(infos: Iterable[Info]) -> Placed | None:
    """Where in Azerbaijan the alert's areas are, or None when they do not touch it."""
    areas = [area for info in infos for area in info.areas]
    shapes, districts, national = _shapes(areas)
    if national:
        return Placed(None, None, None, "the whole country (geocode)")
    if not shapes:
        return _described(areas)
    if len(shapes) == len(districts) == 1:
        return Placed(None, None, districts[0], f"geocode {districts[0]}")
    area = unary_union(shapes)
    country, bounds = country_shape()
    if not _boxes_meet(area.bounds, bounds) or not country.intersects(area):
        return None
    inside = area.intersection(country)
    if inside.is_empty:
        return None
    point = inside.centroid
    if not inside.intersects(point):
        point = inside.representative_point()
    return Placed(round(point.y, 5), round(point.x, 5), None, "centre of its part in Azerbaijan")


def _shapes(areas: list[Area]) -> tuple[list[BaseGeometry], list[str], bool]:
    """The shapes of the areas (each polygon and circle once), the districts named, and
    whether the whole country is."""
    seen: set[str] = set()
    shapes: list[BaseGeometry] = []
    districts: list[str] = []
    national = False
    for area in areas:
        for polygon in area.polygons:
            if polygon.text not in seen:
                seen.add(polygon.text)
                shapes.append(_polygon([(p.lon, p.lat) for p in polygon.points()]))
        for circle in area.circles:
            if circle.text not in seen:
                seen.add(circle.text)
                center = circle.center()
                shapes.append(_circle(center.lat, center.lon, circle.radius_km()))
        for pair in area.geocodes:
            code = pair.value.strip().upper()
            if "ISO3166" not in pair.name.upper().replace("-", "").replace(" ", ""):
                continue
            if code in COUNTRY_CODES:
                national = True
            elif code not in seen:
                seen.add(code)
                shape = _coded(code)
                if shape is not None:
                    shapes.append(shape)
                    districts.append(code)
    return shapes, districts, national


def _polygon(points: list[tuple[float, float]]) -> BaseGeometry:
    shape = ShapelyPolygon(points)
    return shape if shape.is_valid else shapely.make_valid(shape)


def _circle(lat: float, lon: float, radius_km: float) -> BaseGeometry:
    if radius_km <= 0:
        return Point(lon, lat)
    dlat = radius_km / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return affinity.scale(Point(lon, lat).buffer(1.0, 16), dlon, dlat, origin=(lon, lat))


def _coded(code: str) -> BaseGeometry | None:
    gazetteer = load_gazetteer()
    return gazetteer.adm2.get(code) or gazetteer.adm1.get(code)


def _boxes_meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _described(areas: list[Area]) -> Placed | None:
    for desc in dict.fromkeys(area.desc for area in areas if area.desc.strip()):
        found = resolve_text(desc)
        if found is not None and found.country == COUNTRY:
            return Placed(found.lat, found.lon, found.admin1, f"area description ({found.matched})")
    return None
