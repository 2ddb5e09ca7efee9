"""What scoring reads from an entity besides its names: birth dates, nationalities, gender and
identifiers, in forms that compare directly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from followthemoney import EntityProxy

# Strong names, then the weak ones (UN "Low quality" aliases, OFAC weak a.k.a.s).
STRONG_NAME_PROPERTIES = ("name", "alias", "previousName")
WEAK_NAME_PROPERTIES = ("weakAlias",)
COUNTRY_PROPERTIES = ("nationality", "citizenship", "country", "jurisdiction")
IDENTIFIER_PROPERTIES = (
    "passportNumber",
    "idNumber",
    "imoNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "swiftBic",
    "mmsi",
    "socialSecurityNumber",
)
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
MIN_IDENTIFIER = 5


@dataclass(frozen=True, slots=True)
class Facts:
    birth_dates: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    gender: str | None = None
    identifiers: frozenset[str] = frozenset()


def names_of(entity: EntityProxy) -> list[tuple[str, bool]]:
    """The entity's names, each once, with whether it is weak."""
    # One copy of the values, not a lookup per property: this runs for every listed party
    # when the index is built.
    values = entity.properties
    found: dict[str, tuple[str, bool]] = {}
    for weak, properties in ((False, STRONG_NAME_PROPERTIES), (True, WEAK_NAME_PROPERTIES)):
        for prop in properties:
            for value in values.get(prop, ()):
                found.setdefault(" ".join(value.casefold().split()), (value, weak))
    return list(found.values())


def identifier(value: str) -> str | None:
    """An identifier in comparable form ("A 123-456/7" -> "A1234567"); None when too short to
    tell anyone apart."""
    key = _NOT_ALNUM.sub("", value.upper())
    return key if len(key) >= MIN_IDENTIFIER else None


def facts_of(entity: EntityProxy) -> Facts | None:
    """The entity's facts, or None when it has none (most padding names in benchmarks)."""
    values = entity.properties
    dates = tuple(sorted(values.get("birthDate", ())))
    countries = frozenset(c for p in COUNTRY_PROPERTIES for c in values.get(p, ()))
    genders = values.get("gender", [])
    ids = frozenset(
        key
        for p in IDENTIFIER_PROPERTIES
        for value in values.get(p, ())
        if (key := identifier(value)) is not None
    )
    if not (dates or countries or genders or ids):
        return None
    return Facts(dates, countries, genders[0] if len(genders) == 1 else None, ids)
