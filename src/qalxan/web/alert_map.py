"""The map preview of a warning's area: the country's districts, those chosen filled, and the
outlines CAP will carry (the districts' polygons, polygons drawn by hand, circles) on top.

Drawn on the server with the districts' projection (:mod:`qalxan.web.maps`), so the preview
works without a script and offline; ``alerts.js`` redraws the hand-drawn parts while typing
with the same formulas, reading the projection from the map's data attributes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qalxan.alerts.areas import KM_PER_DEGREE, area_form_of
from qalxan.alerts.districts import district_polygons
from qalxan.alerts.form import CircleForm
from qalxan.alerts.geometry import Point, parse_points
from qalxan.alerts.model import Alert
from qalxan.errors import InvalidInput
from qalxan.web.alert_fields import Typed, circles, polygon_blocks
from qalxan.web.maps import CountryMap, Frame, country_map


@dataclass(frozen=True)
class Outline:
    """One shape of the area: ``district`` (a district's CAP polygon, ``code`` naming it),
    ``polygon`` (drawn by hand) or ``circle``; ``path`` is SVG path data."""

    kind: str
    path: str
    code: str = ""


@dataclass(frozen=True)
class AreaMap:
    country: CountryMap
    chosen: frozenset[str]
    outlines: tuple[Outline, ...]

    @property
    def frame(self) -> Frame:
        return self.country.frame


def area_map(
    districts: Iterable[str],
    drawn: Iterable[Sequence[Point]] = (),
    rounds: Iterable[CircleForm] = (),
) -> AreaMap:
    country = country_map()
    frame = country.frame
    codes = tuple(dict.fromkeys(code.upper() for code in districts))
    outlines = []
    for code in codes:
        try:
            shapes = district_polygons(code)
        except InvalidInput:
            continue  # not a district: the form shows the core's error for it
        outlines += [Outline("district", _ring(frame, s.points()), code) for s in shapes]
    outlines += [Outline("polygon", _ring(frame, points)) for points in drawn if points]
    outlines += [Outline("circle", _circle(frame, c)) for c in rounds]
    return AreaMap(country, frozenset(codes), tuple(outlines))


def typed_map(typed: Typed) -> AreaMap:
    """The area as typed so far; what cannot be read yet is left off the map."""
    drawn = []
    for block in polygon_blocks(typed["polygons"]):
        try:
            drawn.append(parse_points(block, "polygons"))
        except InvalidInput:
            continue
    try:
        rounds = circles(typed["circles"])
    except InvalidInput:
        rounds = ()
    return area_map(typed.multi.get("district", ()), drawn, rounds)


def alert_map(alert: Alert) -> AreaMap:
    """Every area of the alert (of all its info blocks, each shape once)."""
    districts: dict[str, None] = {}
    drawn: dict[tuple[Point, ...], None] = {}
    rounds: dict[CircleForm, None] = {}
    for info in alert.infos:
        for area in info.areas:
            form = area_form_of(area)
            districts.update(dict.fromkeys(form.districts))
            drawn.update(dict.fromkeys(form.polygons))
            rounds.update(dict.fromkeys(form.circles))
    return area_map(districts, drawn, rounds)


def _ring(frame: Frame, points: Sequence[Point]) -> str:
    xy = (frame.project(p.lon, p.lat) for p in points)
    return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in xy) + "Z"


def _circle(frame: Frame, circle: CircleForm) -> str:
    """An ellipse: a kilometre is shorter in degrees of latitude than of longitude, and the
    projection shrinks longitudes by a constant."""
    center = circle.center
    x, y = frame.project(center.lon, center.lat)
    ry = circle.radius_km / KM_PER_DEGREE * frame.scale
    stretch = max(math.cos(math.radians(center.lat)), 0.01)
    rx = circle.radius_km / (KM_PER_DEGREE * stretch) * frame.shrink * frame.scale
    return (
        f"M{x - rx:.1f} {y:.1f} a{rx:.1f} {ry:.1f} 0 1 0 {2 * rx:.1f} 0 "
        f"a{rx:.1f} {ry:.1f} 0 1 0 {-2 * rx:.1f} 0Z"
    )
