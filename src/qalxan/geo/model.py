"""The gazetteer's records and the answers of the geolocation functions (plain dataclasses)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from shapely.geometry.base import BaseGeometry

Precision = Literal["place", "district", "country"]


@dataclass(frozen=True, slots=True)
class AdminUnit:
    """An ISO 3166-2:AZ unit: a district (rayon), a city or the Nakhchivan Autonomous Republic."""

    code: str
    kind: Literal["district", "city", "autonomous republic"]
    parent: str | None
    names: Mapping[str, str]  # language -> name; "en" is the canonical English name
    aliases: tuple[str, ...]
    centroid: tuple[float, float]
    seat: str | None  # id of the place that is its administrative centre
    ru_adjective: str | None  # key of the Russian adjectival form, "Шекинский" -> "shekinskiy"

    @property
    def name(self) -> str:
        return self.names["en"]


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place in Azerbaijan with its spellings and the unit it lies in."""

    id: str
    name: str
    names: tuple[str, ...]
    lat: float
    lon: float
    population: int
    admin1: str


@dataclass(frozen=True, slots=True)
class Pipeline:
    code: str  # Global Energy Monitor project id, e.g. "P0644"
    name: str | None
    fuel: Literal["gas", "oil"]
    status: str | None
    other_names: tuple[str, ...]
    route: str  # "mapped", or "end points only" when the source has no mapped route
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class Airport:
    id: int
    name: str
    city: str
    iata: str | None
    icao: str | None
    lat: float
    lon: float
    admin1: str


@dataclass(frozen=True, slots=True)
class Location:
    """Where a text places an event, and why.

    ``admin1`` is the ISO 3166-2:AZ code of the district or city (``None`` outside Azerbaijan);
    ``matched`` is the text that was recognised; ``explanation`` says what matched and why that
    reading won.
    """

    name: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    matched: str
    precision: Precision
    explanation: str


@dataclass(frozen=True, slots=True)
class PointLocation:
    """What lies at a point: the country, and in Azerbaijan the unit and its parent.

    ``offshore`` points (in Azerbaijan's part of the Caspian) carry the nearest coastal unit and
    their ``distance_km`` to it; on land the distance is 0.
    """

    country: str | None
    admin1: str | None
    parent: str | None
    name: str | None
    offshore: bool
    distance_km: float
    explanation: str


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Everything the package ships about Azerbaijan, loaded once by :func:`load_gazetteer`."""

    units: Mapping[str, AdminUnit]
    places: Mapping[str, Place]  # by id
    adm2: Mapping[str, BaseGeometry]  # ISO code -> polygon
    adm1: Mapping[str, BaseGeometry]  # "AZ-NX" and "mainland" -> polygon
    pipelines: tuple[Pipeline, ...]
    airports: tuple[Airport, ...]
