"""The boundaries and units as GeoJSON-like dicts, for maps."""

from __future__ import annotations

from typing import Any, Literal

from shapely.geometry import mapping

from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.model import AdminUnit

DEFAULT_TOLERANCE = 0.002  # degrees, about 200 m: light enough for a browser map


def admin_units() -> list[AdminUnit]:
    """The 78 ISO 3166-2:AZ units, by code."""
    units = load_gazetteer().units
    return [units[code] for code in sorted(units)]


def admin_shapes(
    level: Literal["adm1", "adm2"] = "adm2", tolerance: float = DEFAULT_TOLERANCE
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the ADM2 units (districts and cities) or the two ADM1
    parts (``mainland`` and ``AZ-NX``), simplified to ``tolerance`` degrees (0: as stored)."""
    gazetteer = load_gazetteer()
    shapes = gazetteer.adm2 if level == "adm2" else gazetteer.adm1
    features = []
    for code in sorted(shapes):
        geometry = shapes[code]
        if tolerance > 0:
            geometry = geometry.simplify(tolerance, preserve_topology=True)
        unit = gazetteer.units.get(code)
        properties: dict[str, Any] = {"code": code}
        if unit is not None:
            properties |= {
                "name": unit.name,
                "names": dict(unit.names),
                "kind": unit.kind,
                "parent": unit.parent,
            }
        else:
            properties["name"] = "Mainland Azerbaijan"
        features.append(
            {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
        )
    return {"type": "FeatureCollection", "features": features}


def pipeline_shapes() -> dict[str, Any]:
    """The pipeline routes as a GeoJSON FeatureCollection."""
    features = [
        {
            "type": "Feature",
            "properties": {"code": p.code, "name": p.name, "fuel": p.fuel, "status": p.status},
            "geometry": mapping(p.geometry),
        }
        for p in load_gazetteer().pipelines
    ]
    return {"type": "FeatureCollection", "features": features}
