"""Zones that change who responds: the border zone, the Caspian offshore, Nakhchivan."""

from __future__ import annotations

from shapely.geometry import Point

from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.frame import flat_km, load_boundary
from qalxan.geo.measure import validate_point

DEFAULT_BORDER_KM = 20.0


def border_distance_km(lat: float, lon: float) -> float:
    """Distance in km to Azerbaijan's land border (the Caspian coast is not counted)."""
    lat, lon = validate_point(lat, lon)
    return flat_km(load_boundary().land, lat, lon)


def in_border_zone(lat: float, lon: float, km: float = DEFAULT_BORDER_KM) -> bool:
    """Whether the point is in Azerbaijan, on land, within ``km`` of its land border."""
    lat, lon = validate_point(lat, lon)
    if not load_boundary().land_area.intersects(Point(lon, lat)):
        return False
    return border_distance_km(lat, lon) <= km


def is_offshore(lat: float, lon: float) -> bool:
    """Whether the point is at sea in Azerbaijan's part of the Caspian.

    The sector is an approximation (see ``data/maritime.yaml``), not the legal boundary.
    """
    lat, lon = validate_point(lat, lon)
    boundary = load_boundary()
    point = Point(lon, lat)
    return bool(boundary.sector.contains(point)) and not boundary.land_area.intersects(point)


def in_nakhchivan(lat: float, lon: float) -> bool:
    """Whether the point is in the Nakhchivan Autonomous Republic."""
    lat, lon = validate_point(lat, lon)
    return bool(load_gazetteer().adm1["AZ-NX"].intersects(Point(lon, lat)))
