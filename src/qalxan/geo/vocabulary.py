"""The words around place names that the resolver reads, from ``data/vocabulary.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from qalxan.geo.data_files import GazetteerError, read_yaml
from qalxan.geo.names import key

LISTS = (
    "district_words",
    "city_words",
    "republic_words",
    "locative_words",
    "stop_words",
    "admin_type_words",
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Each list as a set of keys (see :func:`qalxan.geo.names.key`)."""

    district: frozenset[str]
    city: frozenset[str]
    republic: frozenset[str]
    locative: frozenset[str]
    stop: frozenset[str]
    admin_types: frozenset[str]
    neutral: frozenset[str]  # words that may follow or precede a name without being part of it


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    raw = read_yaml("vocabulary.yaml")
    if not isinstance(raw, dict):
        raise GazetteerError("vocabulary.yaml: expected a mapping of word lists")
    sets = []
    for name in LISTS:
        words = raw.get(name)
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise GazetteerError(f"vocabulary.yaml: {name}: expected a list of words")
        sets.append(frozenset(key(word) for word in words))
    district, city, republic, locative, stop, admin_types = sets
    neutral = district | city | republic | admin_types | stop
    return Vocabulary(district, city, republic, locative, stop, admin_types, neutral)
