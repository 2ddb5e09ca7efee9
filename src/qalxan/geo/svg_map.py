"""Maps as inline SVG drawn on the server: Azerbaijan's districts, and a point on them.

The web pages (:mod:`qalxan.web.maps`) and the National Threat Assessment
(:mod:`qalxan.picture.charts`) draw the same projected districts.

The projection is equirectangular with longitudes shrunk by cos(40.4°), the country's middle
latitude: districts keep their shapes to within a few percent, no map library or tile server is
needed (the platform runs offline), and the page's script inverts the same two formulas to turn
a click into coordinates (:meth:`Frame.unproject`, mirrored in ``qalxan.js``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import cos, radians
from typing import Any

from qalxan.geo import admin_shapes

MIDDLE_LATITUDE = 40.4
SHRINK = cos(radians(MIDDLE_LATITUDE))
WIDTH = 1000.0  # SVG units; the page scales the drawing to its box
MARGIN = 0.06  # degrees around the country, so that border districts are not cut
# About 500 m: 3,000 points for the whole country, some 40 kB of path data per map.
TOLERANCE = 0.005


@dataclass(frozen=True)
class Frame:
    """Where degrees land in the drawing: ``west``/``north`` is the top-left corner."""

    west: float
    north: float
    scale: float  # SVG units per degree of latitude
    width: float
    height: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * SHRINK * self.scale, (self.north - lat) * self.scale

    def unproject(self, x: float, y: float) -> tuple[float, float]:
        """The (lon, lat) at a point of the drawing."""
        return self.west + x / (SHRINK * self.scale), self.north - y / self.scale

    def contains(self, lon: float, lat: float) -> bool:
        x, y = self.project(lon, lat)
        return 0 <= x <= self.width and 0 <= y <= self.height

    @property
    def shrink(self) -> float:
        """How much shorter a degree of longitude is drawn than one of latitude."""
        return SHRINK

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


@dataclass(frozen=True)
class District:
    code: str
    names: Mapping[str, str]
    path: str  # SVG path data, holes included (drawn with fill-rule evenodd)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or self.code


@dataclass(frozen=True)
class CountryMap:
    frame: Frame
    districts: tuple[District, ...]

    def point(self, lat: float | None, lon: float | None) -> tuple[float, float] | None:
        """Where a coordinate is drawn, or None when it is unknown or off the map."""
        if lat is None or lon is None or not self.frame.contains(lon, lat):
            return None
        return self.frame.project(lon, lat)


def _points(coordinates: Any) -> Iterator[tuple[float, float]]:
    if isinstance(coordinates[0], int | float):
        yield float(coordinates[0]), float(coordinates[1])
        return
    for part in coordinates:
        yield from _points(part)


def _polygons(geometry: Mapping[str, Any]) -> list[Sequence[Sequence[Sequence[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _path(frame: Frame, geometry: Mapping[str, Any]) -> str:
    rings = []
    for polygon in _polygons(geometry):
        for ring in polygon:
            xy = (frame.project(lon, lat) for lon, lat in ring)
            rings.append("M" + " ".join(f"{x:.1f} {y:.1f}" for x, y in xy) + "Z")
    return "".join(rings)


def frame_around(lons: Sequence[float], lats: Sequence[float], width: float = WIDTH) -> Frame:
    west, east = min(lons) - MARGIN, max(lons) + MARGIN
    south, north = min(lats) - MARGIN, max(lats) + MARGIN
    scale = width / ((east - west) * SHRINK)
    return Frame(west, north, scale, width, (north - south) * scale)


@lru_cache(maxsize=1)
def country_map() -> CountryMap:
    """The districts and cities of Azerbaijan (ISO 3166-2:AZ), projected once per process."""
    features = admin_shapes("adm2", TOLERANCE)["features"]
    every = [p for f in features for p in _points(f["geometry"]["coordinates"])]
    frame = frame_around([lon for lon, _ in every], [lat for _, lat in every])
    districts = tuple(
        District(
            code=f["properties"]["code"],
            names={"en": f["properties"]["name"], **f["properties"].get("names", {})},
            path=_path(frame, f["geometry"]),
        )
        for f in features
    )
    return CountryMap(frame, districts)
