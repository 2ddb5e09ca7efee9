"""Organisations screened by their acronyms: "LTTE" finds "Liberation Tigers of Tamil Eelam",
the explanation says why, a short acronym ranks without alerting, and persons have none."""

from __future__ import annotations

import pytest

from qalxan.screening import acronyms
from qalxan.screening.index import Index
from qalxan.screening.matcher import Matcher
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.query import Query
from qalxan.settings import Settings

# The default alert threshold.
THRESHOLD = Settings().screening_threshold
LISTED = [
    ("O1", "Organization", ["LIBERATION TIGERS OF TAMIL EELAM", "TAMIL TIGERS"]),
    ("O2", "Organization", ["ISLAMIC REVOLUTIONARY GUARD CORPS AIR FORCE"]),
    ("O3", "Organization", ["PARTIYA KARKERAN KURDISTAN", "KURDISTAN WORKERS' PARTY"]),
    ("O4", "Company", ["DISTRIBUIDORA IMPERIAL DE BAJA CALIFORNIA, S.A. DE C.V."]),
    ("O5", "Organization", ["BMI"]),
    ("V1", "Vessel", ["LIGHT TANKER TIGER ENTERPRISE"]),
    ("P1", "Person", ["Pavel Kirill KOZLOV"]),
]


def _entry(key: str, schema: str, names: list[str]) -> ListEntry:
    entity = new_entity(schema, "test", key)
    entity.add("name", names[0])
    entity.add("alias", names[1:])
    return ListEntry("test", key, entity)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Index.build([_entry(*row) for row in LISTED]))


def _top(matcher: Matcher, name: str, schema: str = "Organization") -> tuple[str, float, str]:
    found = matcher.match(Query("q", (name,), schema=schema), top=1)
    assert found, f"nothing found for {name!r}"
    return found[0].source_id, found[0].score, found[0].explain()


@pytest.mark.parametrize(
    ("asked", "expected"),
    [("LTTE", "O1"), ("IRGC AIR FORCE", "O2"), ("DIBC", "O4"), ("ltte", "O1")],
)
def test_an_acronym_finds_and_alerts_on_what_it_stands_for(
    matcher: Matcher, asked: str, expected: str
) -> None:
    source_id, score, why = _top(matcher, asked)
    assert source_id == expected
    assert score >= THRESHOLD
    assert "(acronym 0.85)" in why


def test_joining_words_and_legal_forms_are_not_initials(matcher: Matcher) -> None:
    words = matcher.index.vocabulary
    name = [words.lookup(w) for w in ("liberation", "tigers", "of", "tamil", "eelam", "ltd")]
    found = acronyms.acronyms_of(name)
    # "of" and "ltd" are left out of the initials, and the acronym spans the words it reads.
    assert found.initials == {"ltt": ((0, 3),), "ltte": ((0, 4),)}
    # The words that may be acronyms themselves: Latin names of three to eight letters.
    assert found.words == {"tigers": (1,), "tamil": (3,), "eelam": (4,)}


def test_a_three_letter_acronym_ranks_first_but_does_not_alert(matcher: Matcher) -> None:
    source_id, score, why = _top(matcher, "PKK")
    assert source_id == "O3"
    # Initials of three letters agree by chance too often to be an alert on their own.
    assert 0.5 < score < THRESHOLD
    assert "pkk~partiya karkeran kurdistan (acronym 0.70)" in why


def test_a_name_spelled_out_is_no_alert_on_a_listed_acronym(matcher: Matcher) -> None:
    source_id, score, why = _top(matcher, "Bank Melli Iran")
    assert source_id == "O5"
    assert score < THRESHOLD
    assert "bank melli iran~bmi (acronym 0.70)" in why


def test_persons_and_vessels_have_no_acronyms(matcher: Matcher) -> None:
    # A person's initials are no acronym, on either side.
    for found in matcher.match(Query("q", ("PKK",), schema="LegalEntity"), top=10):
        assert found.source_id != "P1"
    assert not matcher.match(Query("q", ("PKK",), schema="Person"), top=10)
    vessel = matcher.match(Query("q", ("LTTE",), schema="Vessel"), top=10)
    assert all("acronym" not in found.explain() for found in vessel)


def test_an_acronym_is_compared_like_any_other_pair(matcher: Matcher) -> None:
    score = matcher.compare_names("LTTE", "Liberation Tigers of Tamil Eelam", "Organization")
    assert score.score == pytest.approx(0.85)
    assert "ltte~liberation tigers of tamil eelam (acronym 0.85)" in score.explain()
    assert matcher.compare_names("LTTE", "Liberation Tigers of Tamil Eelam").score == 0.0
