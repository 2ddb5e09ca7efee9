"""The name index: every spelling of every known place, keyed for constant-time look-up.

Keys are :func:`qalxan.geo.names.key` forms of whole names ("port au prince"), so a text is
resolved by looking up its word n-grams in one dict instead of running thousands of patterns.
Azerbaijani units and places are also indexed by consonant skeleton, to catch spellings that no
source lists ("Lenkoran", "Gazakh"); the world's towns are not, as their namesakes are too many.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from qalxan.geo.data_files import GazetteerError, load_gazetteer, read_yaml
from qalxan.geo.model import Gazetteer
from qalxan.geo.names import is_cyrillic, key, skeleton
from qalxan.geo.vocabulary import Vocabulary, load_vocabulary
from qalxan.geo.world import World, load_world, population_weight

TargetKind = Literal["unit", "place", "town", "region", "country", "demonym"]

# Prior weights: how likely a name is meant, before the text is read. Azerbaijani entries are
# preferred to namesakes abroad (this is a gazetteer for Azerbaijan); a town abroad weighs the
# log10 of its population, so Paris (France) outweighs Paris (Texas).
AZ_UNIT_PRIOR = 6.5
AZ_PLACE_BOOST = 2.0
COUNTRY_PRIOR = 6.5
REGION_PRIOR = 4.0
DEMONYM_PRIOR = 3.0
SEAT_MARGIN = 0.1
# A town abroad found by one of its alternate names (GeoNames lists "Islamabad" for Chattogram,
# "Plan" for Planá) is a weaker reading than one found by its own name.
ALTERNATE_QUALITY = 0.85
MIN_ALTERNATE = 4
MAX_WORDS = 5


@dataclass(frozen=True, slots=True)
class Target:
    """One reading of a name: what it would place the text at."""

    kind: TargetKind
    ref: str  # ISO 3166-2 code, place or town id, or ISO 3166-1 alpha-2
    name: str  # canonical English name
    country: str
    admin1: str | None
    lat: float
    lon: float
    prior: float
    unit_kind: str | None = None  # "district", "city" or "autonomous republic" for units
    located: bool = True  # False: a region abroad placed at its country's capital


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: a cache key
class NameIndex:
    exact: Mapping[str, tuple[tuple[Target, float], ...]]  # key -> (target, name quality)
    fuzzy: Mapping[str, tuple[tuple[str, Target], ...]]  # skeleton -> (key, target)
    prefixes: frozenset[str]  # keys of the first words of multi-word names
    vocabulary: Vocabulary
    # what each word seen so far can start or be (filled by qalxan.geo.mentions): the same
    # words recur from text to text, and a dict look-up is the cheapest step of all
    word_cache: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_index() -> NameIndex:
    """The index over the Azerbaijani gazetteer and the world (built on first use)."""
    return build_index(load_gazetteer(), load_world(), load_vocabulary())


def build_index(gazetteer: Gazetteer, world: World, vocabulary: Vocabulary) -> NameIndex:
    builder = _Builder(vocabulary)
    _add_azerbaijan(builder, gazetteer)
    _add_world(builder, world, vocabulary)
    return builder.done()


class _Builder:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.exact: dict[str, dict[tuple[str, str], tuple[Target, float]]] = defaultdict(dict)
        self.fuzzy: dict[str, dict[tuple[str, str, str], tuple[str, Target]]] = defaultdict(dict)
        self.prefixes: set[str] = set()

    def add(self, names: Iterable[str], target: Target, fuzzy: bool = False) -> None:
        self.add_keys([key(name) for name in names], target, fuzzy)

    def add_keys(
        self, keys: Iterable[str], target: Target, fuzzy: bool = False, primary: int = -1
    ) -> None:
        """Index ``keys`` for ``target``; with ``primary`` >= 0 only the first ``primary`` keys
        are its own names and the rest are alternates, which match with lower quality."""
        cue_words = self.vocabulary.district | self.vocabulary.city
        for position, name_key in enumerate(keys):
            quality = 1.0 if primary < 0 or position < primary else ALTERNATE_QUALITY
            words = name_key.split()
            if len(words) > 1 and words[-1] in cue_words:
                # "Ordubad rayonu", "Tovuz City": the kind word is read as a cue instead
                words = words[:-1]
                name_key = " ".join(words)
            if not words or len(words) > MAX_WORDS or len(name_key) < 2:
                continue
            if len(words) == 1 and name_key in self.vocabulary.stop:
                continue
            if quality < 1.0 and len(name_key) < MIN_ALTERNATE:
                continue  # "Pa" for Chongqing, "Ta" for Dazhou: romanisations, not names
            entries = self.exact[name_key]
            ref = (target.kind, target.ref)
            if ref not in entries or entries[ref][1] < quality:
                entries[ref] = (target, quality)
            for n in range(1, len(words)):
                self.prefixes.add(" ".join(words[:n]))
            if fuzzy and len(name_key) >= 4:
                bones = skeleton(name_key)
                if len(bones) >= 2:
                    entry = (name_key, target)
                    self.fuzzy[bones].setdefault((name_key, target.kind, target.ref), entry)

    def done(self) -> NameIndex:
        return NameIndex(
            {k: tuple(v.values()) for k, v in self.exact.items()},
            {k: tuple(v.values()) for k, v in self.fuzzy.items()},
            frozenset(self.prefixes),
            self.vocabulary,
        )


def _extra_aliases() -> dict[str, list[str]]:
    raw = read_yaml("unit_aliases.yaml")
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(n, str) for n in v) for v in raw.values()
    ):
        raise GazetteerError("unit_aliases.yaml: expected ISO codes with lists of names")
    return {str(k): list(v) for k, v in raw.items()}


def _add_azerbaijan(builder: _Builder, gazetteer: Gazetteer) -> None:
    extra = _extra_aliases()
    unknown = set(extra) - set(gazetteer.units)
    if unknown:
        raise GazetteerError(f"unit_aliases.yaml: unknown units {sorted(unknown)}")
    for unit in gazetteer.units.values():
        seat = gazetteer.places.get(unit.seat) if unit.seat else None
        lat, lon = (seat.lat, seat.lon) if seat and unit.kind == "city" else unit.centroid
        target = Target(
            "unit", unit.code, unit.name, "AZ", unit.code, lat, lon, AZ_UNIT_PRIOR, unit.kind
        )
        # "Tovuz District", "Baku City": the kind is read from the words after the name
        # (see mentions.py), so "Tovuz rayonu", "Tovuz district" and "Товузский район" agree.
        names = [
            name
            for name in (
                *unit.names.values(),
                *unit.aliases,
                *extra.get(unit.code, ()),
                unit.name.removesuffix(" District"),
            )
            if not name.endswith((" City", " District"))
        ]
        builder.add(names, target, fuzzy=True)
        if unit.ru_adjective:
            builder.add([unit.ru_adjective], target, fuzzy=True)
    seats = {unit.seat for unit in gazetteer.units.values() if unit.seat}
    unit_names = {key(n) for unit in gazetteer.units.values() for n in unit.names.values()}
    for place in gazetteer.places.values():
        prior = math.log10(max(place.population, 1000)) + AZ_PLACE_BOOST
        if place.id in seats:
            # a unit's seat outranks the unit unless the text says "district"
            prior = max(prior, AZ_UNIT_PRIOR + SEAT_MARGIN)
        target = Target(
            "place", place.id, place.name, "AZ", place.admin1, place.lat, place.lon, prior
        )
        own = [place.name, *(n for n in place.names if _local_name(n, unit_names))]
        builder.add(own, target, fuzzy=True)
        others = [key(n) for n in place.names if not _local_name(n, unit_names)]
        builder.add_keys(others, target, primary=0)


_AZ_LETTERS = frozenset("əıışçğöüƏIŞÇĞÖÜİxXqQ")


def _local_name(name: str, unit_names: set[str]) -> bool:
    """Whether a GeoNames alternate is how Azerbaijan writes the place (Azerbaijani letters,
    Cyrillic, or a unit's name) rather than a foreign exonym ("Bakou", "Boko")."""
    return bool(_AZ_LETTERS & set(name)) or is_cyrillic(name) or key(name) in unit_names


def _add_world(builder: _Builder, world: World, vocabulary: Vocabulary) -> None:
    for country in world.countries.values():
        point = (country.lat, country.lon)
        builder.add(
            country.names,
            Target(
                "country", country.code, country.name, country.code, None, *point, COUNTRY_PRIOR
            ),
        )
        demonym = Target(
            "demonym", country.code, country.name, country.code, None, *point, DEMONYM_PRIOR
        )
        builder.add(country.demonyms, demonym)
    for town in world.towns:
        prior = population_weight(town.population)
        target = Target("town", town.id, town.name, town.country, None, town.lat, town.lon, prior)
        builder.add_keys(town.keys, target, primary=1)
    for region in world.regions:
        country = world.countries[region.country]
        lat, lon = region.point or (country.lat, country.lon)
        target = Target(
            "region",
            region.code,
            region.name,
            region.country,
            None,
            lat,
            lon,
            REGION_PRIOR,
            located=region.point is not None,
        )
        builder.add([*region.names, *_without_type_word(region.names, vocabulary)], target)


def _without_type_word(names: Iterable[str], vocabulary: Vocabulary) -> list[str]:
    """ "Khersonska oblast" -> "Khersonska"; "Province of Kandahar" is left alone."""
    found = []
    for name in names:
        words = name.split()
        if len(words) > 1 and key(words[-1]) in vocabulary.admin_types:
            found.append(" ".join(words[:-1]))
    return found
