"""Loading the gazetteer shipped in ``qalxan/geo/data/``: once, checked, failing loudly.

Each file is validated with pydantic; a problem raises :class:`GazetteerError` naming the file
and the record, e.g. ``places.json: places[12].lat: Input should be a valid number``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from qalxan.errors import QalxanError, first_problem
from qalxan.geo.model import AdminUnit, Airport, Gazetteer, Pipeline, Place

M = TypeVar("M", bound=BaseModel)
UNIT_COUNT = 78


class GazetteerError(QalxanError):
    """A gazetteer file that is missing or does not validate; names the file and the record."""

    code = "gazetteer_invalid"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitRecord(_Record):
    code: str
    kind: Literal["district", "city", "autonomous republic"]
    parent: str | None
    names: dict[str, str]
    aliases: list[str]
    centroid: tuple[float, float]
    seat: int | str | None
    ru_adjective: str | None


class PlaceRecord(_Record):
    id: int | str
    name: str
    names: list[str]
    lat: float
    lon: float
    population: int
    admin1: str
    source: str


class AirportRecord(_Record):
    id: int
    name: str
    city: str
    iata: str | None
    icao: str | None
    lat: float
    lon: float
    admin1: str


class PipelineProps(_Record):
    code: str
    name: str | None
    fuel: Literal["gas", "oil"]
    status: str | None
    other_names: list[str]
    route: str


class ShapeProps(_Record):
    code: str
    name: str


def read_text(name: str) -> str:
    try:
        return resources.files("qalxan.geo").joinpath("data", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GazetteerError(f"{name}: missing from the package") from None


def read_json(name: str) -> Any:
    try:
        return json.loads(read_text(name))
    except json.JSONDecodeError as error:
        raise GazetteerError(f"{name}: not JSON: {error}") from None


def read_yaml(name: str) -> Any:
    try:
        return yaml.safe_load(read_text(name))
    except yaml.YAMLError as error:
        raise GazetteerError(f"{name}: not YAML: {error}") from None


def records(model: type[M], name: str, field: str) -> list[M]:
    raw = read_json(name)
    items = raw.get(field) if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise GazetteerError(f"{name}: expected {{{field!r}: [...]}}")
    return [validate(model, item, f"{name}: {field}[{i}]") for i, item in enumerate(items)]


def validate(model: type[M], raw: Any, where: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        path, problem = first_problem(error)
        raise GazetteerError(f"{where}.{path}: {problem}") from None


def features(name: str, props: type[M]) -> list[tuple[M, BaseGeometry]]:
    raw = read_json(name)
    found = []
    for i, feature in enumerate(raw.get("features", []) if isinstance(raw, dict) else []):
        where = f"{name}: features[{i}]"
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise GazetteerError(f"{where}.geometry: {error}") from None
        if geometry.is_empty:
            raise GazetteerError(f"{where}.geometry: empty")
        found.append((validate(props, feature.get("properties"), where), geometry))
    if not found:
        raise GazetteerError(f"{name}: no features")
    return found


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped with the package, read and checked on first use."""
    units = {r.code: _unit(r) for r in records(UnitRecord, "units.json", "units")}
    if len(units) != UNIT_COUNT:
        raise GazetteerError(f"units.json: {len(units)} units, expected {UNIT_COUNT}")
    places = {str(r.id): _place(r) for r in records(PlaceRecord, "places.json", "places")}
    adm2 = {p.code: g for p, g in features("adm2.geojson", ShapeProps)}
    adm1 = {p.code: g for p, g in features("adm1.geojson", ShapeProps)}
    _check_codes(units, list(places.values()), adm2, adm1)
    pipelines = tuple(
        Pipeline(p.code, p.name, p.fuel, p.status, tuple(p.other_names), p.route, g)
        for p, g in features("pipelines.geojson", PipelineProps)
    )
    airports = tuple(
        Airport(r.id, r.name, r.city, r.iata, r.icao, r.lat, r.lon, r.admin1)
        for r in records(AirportRecord, "airports.json", "airports")
    )
    return Gazetteer(units, places, adm2, adm1, pipelines, airports)


def _unit(r: UnitRecord) -> AdminUnit:
    seat = None if r.seat is None else str(r.seat)
    centroid = (r.centroid[0], r.centroid[1])
    return AdminUnit(
        r.code, r.kind, r.parent, r.names, tuple(r.aliases), centroid, seat, r.ru_adjective
    )


def _place(r: PlaceRecord) -> Place:
    return Place(str(r.id), r.name, tuple(r.names), r.lat, r.lon, r.population, r.admin1)


def _check_codes(
    units: dict[str, AdminUnit],
    places: Iterable[Place],
    adm2: dict[str, BaseGeometry],
    adm1: dict[str, BaseGeometry],
) -> None:
    """Every reference between the files must land: a wrong code would misplace reports."""
    wanted = {code for code, unit in units.items() if unit.kind != "autonomous republic"}
    if set(adm2) != wanted:
        raise GazetteerError(f"adm2.geojson: codes differ from units.json: {set(adm2) ^ wanted}")
    if set(adm1) != {"AZ-NX", "mainland"}:
        raise GazetteerError("adm1.geojson: expected the features AZ-NX and mainland")
    for place in places:
        if place.admin1 not in units:
            raise GazetteerError(f"places.json: {place.id}: unknown admin1 {place.admin1}")
    known = {place.id for place in places}
    for unit in units.values():
        if unit.seat is not None and unit.seat not in known:
            raise GazetteerError(f"units.json: {unit.code}: unknown seat {unit.seat}")
        if unit.parent is not None and unit.parent not in units:
            raise GazetteerError(f"units.json: {unit.code}: unknown parent {unit.parent}")
