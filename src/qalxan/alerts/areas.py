"""Areas of the alert form as CAP ``<area>`` elements, and back.

Districts become their polygons and an ``ISO3166-2`` geocode (:mod:`qalxan.alerts.districts`);
a polygon drawn by hand is closed when its last point is not its first and refused when it
crosses itself; a circle needs a centre in range and a positive radius. Errors name the place
in the alert, e.g. ``alert/info[1]/area[2]/polygon[1]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from shapely.geometry import Polygon as ShapelyPolygon

from qalxan.alerts.districts import (
    GEOCODE,
    district_geocode,
    district_name,
    district_polygons,
    find_district,
)
from qalxan.alerts.form import AreaForm, CircleForm
from qalxan.alerts.geometry import Point
from qalxan.alerts.model import Alert, Area, Circle, Polygon
from qalxan.errors import InvalidInput

MAX_RADIUS_KM = 1000.0
KM_PER_DEGREE = 111.32
Box = tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon


def build_area(form: AreaForm, language: str, path: str) -> Area:
    units = [
        find_district(text, f"{path}/district[{n}]") for n, text in enumerate(form.districts, 1)
    ]
    polygons = [p for unit in units for p in district_polygons(unit.code)]
    for n, points in enumerate(form.polygons, 1):
        polygons.append(_drawn(points, f"{path}/polygon[{len(polygons) + 1}]", n))
    circles = [_circle(c, f"{path}/circle[{n}]") for n, c in enumerate(form.circles, 1)]
    geocodes = [district_geocode(unit) for unit in units]
    geocodes += [pair for pair in form.geocodes if pair not in geocodes]
    desc = (form.desc or "").strip() or ", ".join(district_name(u, language) for u in units)
    if not desc:
        raise InvalidInput(
            f"{path}/areaDesc: describe the area (or pick districts, whose names describe it)",
            field=f"{path}/areaDesc",
        )
    return Area(desc, tuple(polygons), tuple(circles), tuple(geocodes), form.altitude, form.ceiling)


def _drawn(points: tuple[Point, ...], path: str, n: int) -> Polygon:
    ring = list(points)
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(set(ring)) < 3:
        raise InvalidInput(f"{path}: a polygon needs at least three distinct points", field=path)
    outside = next((p for p in ring if not p.in_range), None)
    if outside is not None:
        raise InvalidInput(
            f"{path}: point {outside.lat},{outside.lon} is outside latitude -90..90, "
            "longitude -180..180",
            field=path,
        )
    if not ShapelyPolygon([(p.lon, p.lat) for p in ring]).is_valid:
        raise InvalidInput(f"{path}: the outline crosses itself (drawn polygon {n})", field=path)
    return Polygon.of(ring)


def _circle(circle: CircleForm, path: str) -> Circle:
    if not circle.center.in_range:
        raise InvalidInput(f"{path}: the centre is outside the WGS 84 range", field=path)
    if not 0 < circle.radius_km <= MAX_RADIUS_KM:
        raise InvalidInput(
            f"{path}: the radius must be above 0 and at most {MAX_RADIUS_KM:g} km", field=path
        )
    return Circle.of(circle.center, circle.radius_km)


def area_form_of(area: Area) -> AreaForm:
    """The form that gives ``area`` again: the districts named by its ``ISO3166-2`` geocodes
    (their polygons are left out, being derived) and everything else as it is."""
    codes: list[str] = []
    derived: set[Polygon] = set()
    for pair in area.geocodes:
        if pair.name == GEOCODE:
            try:
                derived.update(district_polygons(find_district(pair.value).code))
            except InvalidInput:
                continue  # not one of ours: kept below as a plain geocode
            codes.append(pair.value)
    return AreaForm(
        desc=area.desc,
        districts=tuple(codes),
        polygons=tuple(p.points() for p in area.polygons if p not in derived),
        circles=tuple(CircleForm(c.center(), c.radius_km()) for c in area.circles),
        geocodes=tuple(g for g in area.geocodes if not (g.name == GEOCODE and g.value in codes)),
        altitude=area.altitude,
        ceiling=area.ceiling,
    )


def bounding_box(alert: Alert) -> Box | None:
    """The box around every polygon and circle of the alert (None when it has none)."""
    points = list(_extent(area for info in alert.infos for area in info.areas))
    if not points:
        return None
    lats = [p.lat for p in points]
    lons = [p.lon for p in points]
    return min(lats), min(lons), max(lats), max(lons)


def _extent(areas: Iterable[Area]) -> Iterable[Point]:
    for area in areas:
        for polygon in area.polygons:
            yield from polygon.points()
        for circle in area.circles:
            center, radius = circle.center(), circle.radius_km()
            dlat = radius / KM_PER_DEGREE
            dlon = dlat / max(math.cos(math.radians(center.lat)), 0.01)
            yield Point(max(center.lat - dlat, -90), max(center.lon - dlon, -180))
            yield Point(min(center.lat + dlat, 90), min(center.lon + dlon, 180))
