"""Coordinates: checking them and measuring between them."""

from __future__ import annotations

import math

from qalxan.errors import InvalidInput

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
KM_PER_DEGREE_LAT = 110.574

LatLon = tuple[float, float]


def validate_point(lat: float, lon: float) -> LatLon:
    """``(lat, lon)`` as floats, or :class:`InvalidInput` naming ``lat`` or ``lon``."""
    for field, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"{field}: not a number: {value!r}", field=field) from None
        if not math.isfinite(number) or not -limit <= number <= limit:
            raise InvalidInput(f"{field}: {value!r} is outside -{limit:g}..{limit:g}", field=field)
    return float(lat), float(lon)


def distance_km(a: LatLon, b: LatLon) -> float:
    """Great-circle (haversine) distance between two ``(lat, lon)`` points, in km."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def km_per_degree_lon(lat: float) -> float:
    """Length of one degree of longitude at ``lat``, for local flat projections."""
    return KM_PER_DEGREE_LAT * math.cos(math.radians(lat)) * 1.00336
