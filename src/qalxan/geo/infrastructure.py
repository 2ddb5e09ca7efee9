"""Pipelines and airports: what is near a point."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import shapely

from qalxan.errors import InvalidInput
from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.frame import flat_km
from qalxan.geo.measure import KM_PER_DEGREE_LAT, distance_km, km_per_degree_lon, validate_point
from qalxan.geo.model import Airport, Pipeline


@dataclass(frozen=True, slots=True)
class NearPipeline:
    code: str  # Global Energy Monitor id, e.g. "P0644"
    name: str | None
    distance_km: float


@lru_cache(maxsize=1)
def _pipeline_tree() -> tuple[tuple[Pipeline, ...], shapely.STRtree]:
    pipelines = load_gazetteer().pipelines
    return pipelines, shapely.STRtree([p.geometry for p in pipelines])


def near_pipelines(lat: float, lon: float, km: float) -> list[NearPipeline]:
    """Pipelines whose route passes within ``km`` of the point, nearest first.

    Distances are to the mapped route, in a flat frame centred on the point; routes that the
    source gives by their end points only are straight lines and so only indicative.
    """
    lat, lon = validate_point(lat, lon)
    if not 0 <= km <= 1000:
        raise InvalidInput("km: must be between 0 and 1000", field="km")
    pipelines, tree = _pipeline_tree()
    # a box that holds every point within km, in degrees (longitude degrees shrink poleward)
    pad_lat = km / KM_PER_DEGREE_LAT
    pad_lon = km / max(km_per_degree_lon(min(abs(lat) + pad_lat, 89.0)), 1e-6)
    window = shapely.box(lon - pad_lon, lat - pad_lat, lon + pad_lon, lat + pad_lat)
    found = []
    for i in tree.query(window):
        pipeline = pipelines[int(i)]
        gap = flat_km(pipeline.geometry, lat, lon)
        if gap <= km:
            found.append(NearPipeline(pipeline.code, pipeline.name, round(gap, 3)))
    return sorted(found, key=lambda near: (near.distance_km, near.code))


def airports() -> tuple[Airport, ...]:
    return load_gazetteer().airports


def nearest_airport(lat: float, lon: float) -> tuple[Airport, float]:
    """The nearest Azerbaijani airport and its distance in km."""
    lat, lon = validate_point(lat, lon)
    best = min(airports(), key=lambda a: distance_km((lat, lon), (a.lat, a.lon)))
    return best, distance_km((lat, lon), (best.lat, best.lon))
