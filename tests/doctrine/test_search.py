"""Doctrine search: ranked, bilingual, tolerant of inflection and spelling variants."""

from __future__ import annotations

import pytest

from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.search import SearchIndex
from qalxan.errors import NotFound
from qalxan.lang.stem import az_variants


@pytest.fixture(scope="module")
def index(doctrine: Doctrine) -> SearchIndex:
    return SearchIndex(doctrine)


def top_ids(index: SearchIndex, query: str, n: int = 5, kind: str | None = None) -> list[str]:
    return [hit.item.id for hit in index.search(query, kind=kind, limit=n)]


def test_section_code_finds_its_threat_first(index: SearchIndex) -> None:
    assert top_ids(index, "3.4")[0] == "threat-3-4"


def test_english_words(index: SearchIndex) -> None:
    assert "direction-4-3-6" in top_ids(index, "border security", kind="direction")


@pytest.mark.parametrize("query", ["Sərhəd", "Serhed", "SƏRHƏD", "sərhədlərinin", "serhedde"])
def test_azerbaijani_inflection_and_spelling_variants(index: SearchIndex, query: str) -> None:
    assert "agency-sbs" in top_ids(index, query, n=10, kind="agency")


def test_variants_give_the_same_ranking(index: SearchIndex) -> None:
    assert top_ids(index, "Sərhəd təhlükəsizliyi") == top_ids(index, "serhed tehlukesizliyi")


def test_azerbaijani_finds_the_threat(index: SearchIndex) -> None:
    assert "threat-3-4" in top_ids(index, "terrorizmə qarşı mübarizə", kind="threat")


def test_misspelling_is_tolerated(index: SearchIndex) -> None:
    hits = index.search("terorrism", kind="threat")
    assert hits and hits[0].item.id == "threat-3-4"
    assert hits[0].matches[0].how == "fuzzy"


def test_prefix_while_typing(index: SearchIndex) -> None:
    hits = index.search("migra", kind="direction")
    assert "direction-4-3-7" in [h.item.id for h in hits]


def test_every_hit_explains_itself(index: SearchIndex) -> None:
    for hit in index.search("energy infrastructure"):
        assert hit.matches
        for match in hit.matches:
            assert match.query in ("energy", "infrastructure")
            assert match.how in ("exact", "prefix", "fuzzy")
            assert match.fields


def test_scores_are_ordered(index: SearchIndex) -> None:
    scores = [h.score for h in index.search("security", limit=50)]
    assert scores == sorted(scores, reverse=True)


def test_nothing_for_nonsense_and_empty(index: SearchIndex) -> None:
    assert index.search("qqqqxxxzzz") == []
    assert index.search("  ...  ") == []


def test_unknown_kind_is_refused(index: SearchIndex) -> None:
    with pytest.raises(NotFound):
        index.search("border", kind="villains")


def test_azerbaijani_stems_meet() -> None:
    assert az_variants("terrorizme") & az_variants("terrorizm")
    assert az_variants("serhedlerinin") & az_variants("serhed")
