"""What the facts besides the name add to a match or take from it: birth date, nationality,
gender and identifiers. A fact only counts when both sides state it."""

from __future__ import annotations

from qalxan.screening.facts import Facts, identifier
from qalxan.screening.query import Query

BIRTH_DATE_SAME = 0.08
BIRTH_YEAR_SAME = 0.04
BIRTH_YEAR_DIFFERENT = -0.3
# Listed dates are often approximate ("circa 1960"): a year apart is no evidence either way.
BIRTH_YEAR_TOLERANCE = 1
COUNTRY_SAME = 0.03
COUNTRY_DIFFERENT = -0.1
GENDER_DIFFERENT = -0.25
IDENTIFIER_SAME = 0.3

# Schemata that may stand for one another: a company may be listed as an organisation.
_FAMILIES = {
    "Person": "person",
    "Organization": "org",
    "Company": "org",
    "LegalEntity": "org",
    "Vessel": "vessel",
    "Airplane": "airplane",
}


def compatible(query_schema: str, listed_schema: str) -> bool:
    """Whether a listed party of ``listed_schema`` may be the queried one."""
    # A legal entity is a person or an organisation, never a vessel or an aircraft.
    if query_schema == "LegalEntity":
        return _FAMILIES.get(listed_schema) in ("person", "org")
    if listed_schema == "LegalEntity":
        return _FAMILIES.get(query_schema) in ("person", "org")
    return _FAMILIES.get(query_schema) == _FAMILIES.get(listed_schema)


def stated(query: Query) -> bool:
    """Whether the query states any fact :func:`weigh` compares (none: it weighs nothing)."""
    return bool(query.birth_dates or query.nationalities or query.gender or query.identifiers)


def weigh(query: Query, facts: Facts | None) -> dict[str, float]:
    """The score changes the facts make, by feature name (empty when nothing compares)."""
    if facts is None:
        return {}
    found: dict[str, float] = {}
    if query.birth_dates and facts.birth_dates:
        found["birth_date"] = _birth_dates(query.birth_dates, facts.birth_dates)
    if query.nationalities and facts.countries:
        same = {c.lower() for c in query.nationalities} & facts.countries
        found["nationality"] = COUNTRY_SAME if same else COUNTRY_DIFFERENT
    if query.gender and facts.gender and query.gender.lower() != facts.gender:
        found["gender"] = GENDER_DIFFERENT
    if query.identifiers and facts.identifiers:
        keys = {k for v in query.identifiers if (k := identifier(v)) is not None}
        if keys & facts.identifiers:
            found["identifier"] = IDENTIFIER_SAME
    return found


def _birth_dates(asked: tuple[str, ...], listed: tuple[str, ...]) -> float:
    best = BIRTH_YEAR_DIFFERENT
    for a in asked:
        for b in listed:
            if len(a) >= 10 and a[:10] == b[:10]:
                return BIRTH_DATE_SAME
            if a[:4] == b[:4]:
                best = max(best, BIRTH_YEAR_SAME)
            elif _years_apart(a, b) <= BIRTH_YEAR_TOLERANCE:
                best = max(best, 0.0)
    return best


def _years_apart(a: str, b: str) -> int:
    if a[:4].isdigit() and b[:4].isdigit():
        return abs(int(a[:4]) - int(b[:4]))
    return 0


def describe(features: dict[str, float]) -> list[str]:
    """The features in words."""
    words = {
        "birth_date": ("birth date matches", "birth date differs"),
        "nationality": ("nationality matches", "nationality differs"),
        "gender": ("", "gender differs"),
        "identifier": ("identifier matches", ""),
    }
    found = []
    for name, value in features.items():
        if name in words and value != 0:
            found.append(words[name][0 if value > 0 else 1])
    return found
