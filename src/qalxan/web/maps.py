"""Maps as inline SVG drawn on the server: the projection and the districts are the core's
(:mod:`qalxan.geo.svg_map`, shared with the National Threat Assessment); the pages and their
script (``qalxan.js`` mirrors :meth:`Frame.unproject`) use them from here."""

from __future__ import annotations

from qalxan.geo.svg_map import (
    MARGIN,
    MIDDLE_LATITUDE,
    SHRINK,
    TOLERANCE,
    WIDTH,
    CountryMap,
    District,
    Frame,
    country_map,
    frame_around,
)

__all__ = [
    "MARGIN",
    "MIDDLE_LATITUDE",
    "SHRINK",
    "TOLERANCE",
    "WIDTH",
    "CountryMap",
    "District",
    "Frame",
    "country_map",
    "frame_around",
]
