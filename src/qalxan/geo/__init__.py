"""Gazetteer and geolocation: placing incident reports in Azerbaijan and abroad.

Public surface:

- :func:`resolve_text` - the best place mention in a free text (az, ru, en) -> :class:`Location`
- :func:`locate_point` - the district or city (in Azerbaijan) or the country at a coordinate
- :func:`validate_point`, :func:`distance_km` - coordinate checks and haversine distance
- :func:`near_pipelines` - pipeline routes within some km of a point
- :func:`in_border_zone`, :func:`border_distance_km`, :func:`is_offshore`, :func:`in_nakhchivan`
- :func:`admin_units`, :func:`admin_shapes`, :func:`pipeline_shapes` - units and shapes for maps
- :func:`load_gazetteer` - the shipped data, loaded once and checked

Data is read on first use, never at import. See docs/geo.md.
"""

from qalxan.geo.data_files import GazetteerError, load_gazetteer
from qalxan.geo.infrastructure import NearPipeline, airports, near_pipelines, nearest_airport
from qalxan.geo.measure import distance_km, validate_point
from qalxan.geo.model import AdminUnit, Airport, Location, Pipeline, Place, PointLocation
from qalxan.geo.points import locate_point
from qalxan.geo.resolve import resolve_text
from qalxan.geo.shapes import admin_shapes, admin_units, pipeline_shapes
from qalxan.geo.zones import border_distance_km, in_border_zone, in_nakhchivan, is_offshore

__all__ = [
    "AdminUnit",
    "Airport",
    "GazetteerError",
    "Location",
    "NearPipeline",
    "Pipeline",
    "Place",
    "PointLocation",
    "admin_shapes",
    "admin_units",
    "airports",
    "border_distance_km",
    "distance_km",
    "in_border_zone",
    "in_nakhchivan",
    "is_offshore",
    "load_gazetteer",
    "locate_point",
    "near_pipelines",
    "nearest_airport",
    "pipeline_shapes",
    "resolve_text",
    "validate_point",
]
