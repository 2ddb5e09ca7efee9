"""A flat frame for measuring near Azerbaijan, and the national boundary split into land and sea.

Distances to lines (the border, pipelines) are measured in a local equirectangular projection:
longitude scaled by the cosine of a reference latitude, so one unit is one degree of latitude.
Centred on the query's own latitude the error is well under 1% within a few hundred km, which is
all the border and pipeline tests ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from qalxan.geo.data_files import GazetteerError, load_gazetteer, read_yaml
from qalxan.geo.measure import KM_PER_DEGREE_LAT


def project(geom: BaseGeometry, lat0: float) -> BaseGeometry:
    """``geom`` (lon, lat) in the flat frame centred on latitude ``lat0``."""
    scale = np.array([math.cos(math.radians(lat0)), 1.0])
    return shapely.transform(geom, lambda xy: xy * scale)


def flat_km(geom: BaseGeometry, lat: float, lon: float) -> float:
    """Distance in km from ``(lat, lon)`` to ``geom``, measured in the frame centred there."""
    point = project(Point(lon, lat), lat)
    return float(project(geom, lat).distance(point)) * KM_PER_DEGREE_LAT


LAND_MARGIN_DEG = 0.01  # about 1 km


@dataclass(frozen=True, slots=True)
class Boundary:
    land: BaseGeometry  # the borders with Georgia, Armenia, Iran, Turkey and Russia
    coast: BaseGeometry  # the Caspian coast and the islands
    sector: Polygon  # Azerbaijan's part of the Caspian (an approximation)
    land_area: BaseGeometry  # the ADM2 polygons, grown by LAND_MARGIN_DEG to close their gaps
    territory: BaseGeometry  # both ADM1 polygons: land and (OSM's) territorial waters


@lru_cache(maxsize=1)
def load_boundary() -> Boundary:
    raw = read_yaml("maritime.yaml")
    try:
        sector = Polygon([(lon, lat) for lat, lon in raw["sector"]])
        samur = Point(raw["coast_ends"]["samur_mouth"][::-1])
        astara = Point(raw["coast_ends"]["astara_mouth"][::-1])
    except (KeyError, TypeError, ValueError) as error:
        raise GazetteerError(f"maritime.yaml: {error!r}") from None
    gazetteer = load_gazetteer()
    mainland, nakhchivan = gazetteer.adm1["mainland"], gazetteer.adm1["AZ-NX"]
    parts = sorted(_polygons(mainland), key=lambda p: -p.area)
    body, rest = parts[0], parts[1:]
    land_lines: list[Any] = [nakhchivan.boundary]
    coast_lines: list[Any] = []
    for part in rest:  # exclaves inland are land border; islands are coast
        (coast_lines if sector.intersects(part) else land_lines).append(part.exterior)
    land, coast = _split_ring(body.exterior, samur, astara)
    land_lines.append(land)
    coast_lines.append(coast)
    land_area = unary_union(list(gazetteer.adm2.values())).buffer(LAND_MARGIN_DEG)
    shapely.prepare(land_area)  # many point tests follow
    return Boundary(
        unary_union(land_lines),
        unary_union(coast_lines),
        sector,
        land_area,
        unary_union([mainland, nakhchivan]),
    )


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def _split_ring(ring: Any, a: Point, b: Point) -> tuple[LineString, LineString]:
    """The ring cut at the vertices nearest ``a`` and ``b``: (land part, sea part).

    The sea part is the one that reaches furthest east (the Absheron peninsula)."""
    coords = list(ring.coords)[:-1]
    i = min(range(len(coords)), key=lambda k: Point(coords[k]).distance(a))
    j = min(range(len(coords)), key=lambda k: Point(coords[k]).distance(b))
    i, j = sorted((i, j))
    inner = LineString(coords[i : j + 1])
    outer = LineString(coords[j:] + coords[: i + 1])
    if max(x for x, _ in inner.coords) > max(x for x, _ in outer.coords):
        return outer, inner
    return inner, outer
