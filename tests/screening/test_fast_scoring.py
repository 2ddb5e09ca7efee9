"""The fast query path against the plain one it stands for: the array prefilter of word pairs,
many names paired at once, retrieval by a stable sort, listed compounds and list filtering."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from qalxan.screening import prepared, retrieval
from qalxan.screening.index import Index, word_keys
from qalxan.screening.matcher import Matcher
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.prepared import Prepared, joined_pieces
from qalxan.screening.query import Query
from qalxan.screening.retrieval import Retriever, _units
from qalxan.screening.scoring import Named, compare, memo_for, pair_many, word_similarity
from qalxan.screening.similarity import WordFeatures
from qalxan.screening.vocabulary import joined_word

NAMES = [
    ("P1", "Person", "Saddam Hussein AL-TIKRITI"),
    ("P2", "Person", "Ilham Heydar oglu ALIYEV"),
    ("P3", "Person", "Abd al-Rahman YASIN"),
    ("P4", "Person", "Abdulrahman Yassin"),
    ("P5", "Person", "S. I. PETROV"),
    ("P6", "Person", "Sergei Ivanovich PETROV"),
    ("P7", "Person", "عبد الرحمن ياسين"),
    ("P8", "Person", "Мамедов Али Гасан"),
    ("P9", "Person", "Nasr ud Din HAMDULLAH"),
    ("P10", "Person", "Dikiy Dykyy"),
    ("O1", "Organization", "Gazprom Transgaz Saratov, OOO"),
    ("O2", "Organization", "Ocean Star Trading"),
    ("V1", "Vessel", "OCEAN STAR"),
    *[
        (f"X{i}", "Person", f"{first} {last}")
        for i, (first, last) in enumerate(
            (f, la)
            for f in ("Ali", "Hasan", "Mohammed", "Ivan", "Anna", "Omar", "Muhammad")
            for la in ("Karimov", "Huseynov", "Rahimi", "Haddad", "Quliyev", "Hussain")
        )
    ],
]
QUERIES = [
    "Hussein Saddam",
    "صدام حسين التكريتي",
    "Саддам Хусейн",
    "Abdul Rahman Yasin",
    "Abdalrahman Jassin",
    "S Petrov",
    "Sergey I. Petrov",
    "Hamd Allah Nasruddin",
    "Dikii Dykii",
    "Mohamed Hussain",
    "Muhammad Ali Haddad",
    "Gazprom Transgaz",
    "Ocean Star",
    "Zzyzx Qwerty",
    "",
]


def _entry(source_id: str, schema: str, name: str) -> ListEntry:
    entity = new_entity(schema, "test" if source_id[0] != "X" else "other", source_id)
    entity.add("name", name)
    return ListEntry("test" if source_id[0] != "X" else "other", source_id, entity)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Index.build([_entry(*row) for row in NAMES]))


def _asked(matcher: Matcher, name: str, schema: str = "Person") -> list[Named]:
    """The query name as the matcher reads it (none when it has no words)."""
    return [a for a in [matcher._named(name, schema)] if a.words]


def test_prefilter_keeps_every_pair_of_alike_words(matcher: Matcher) -> None:
    vocabulary = matcher.index.vocabulary
    features = WordFeatures(vocabulary)
    ids = np.arange(len(vocabulary), dtype=np.int64)
    kept = 0
    for name in QUERIES:
        for asked in _asked(matcher, name):
            alike = features.alike(asked.words, ids)
            for i, word in enumerate(asked.words):
                for j, listed in enumerate(vocabulary.words):
                    if word_similarity(word, listed)[0] > 0:
                        assert alike[i, j], (word.written, listed.written)
            kept += int(alike.sum())
    # A prefilter that keeps everything would pass the loop above: it must drop most pairs.
    assert kept < 0.5 * len(ids) * sum(len(a.words) for n in QUERIES for a in _asked(matcher, n))


def test_many_names_pair_as_one_name_at_a_time(matcher: Matcher) -> None:
    index = matcher.index
    table = index.vocabulary.words
    every = list(range(index.size))
    names = Prepared(index).names(every)
    features = WordFeatures(index.vocabulary)
    compared = 0
    for name in QUERIES:
        for asked in _asked(matcher, name):
            many = pair_many(asked, names, features.pairs(asked, names))
            memo = memo_for(asked)
            for listed, (score, pairs) in zip(names, many, strict=True):
                one = compare(asked, listed, table, memo)
                assert (score, pairs) == (one.score, one.pairs)
                compared += score > 0
    assert compared > 50


def test_retrieval_scores_names_by_their_rarest_key_per_query_word(matcher: Matcher) -> None:
    index = matcher.index
    for name in QUERIES:
        asked = _asked(matcher, name)
        found = Retriever(index).retrieve(asked, (), index.size)
        # The plain way: per query word (or compound), each name's rarest shared key; these
        # added up over the words.
        scores: dict[int, float] = defaultdict(float)
        for keys in _units(asked):
            best: dict[int, float] = {}
            for key in keys:
                k = index.keys.get(key)
                if k is None:
                    continue
                weight = float(index.key_weight[k])
                for posting in index.key_postings(k).tolist():
                    best[posting] = max(best.get(posting, 0.0), weight)
            for posting, weight in best.items():
                scores[posting] += weight
        assert sorted(found) == sorted(scores)
        ranked = [scores[n] for n in found]
        assert ranked == pytest.approx(sorted(ranked, reverse=True))


def test_kept_postings_retrieve_what_fresh_ones_do(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = matcher.index
    fresh = [Retriever(index).retrieve(_asked(matcher, n), (), 40) for n in QUERIES]
    # One retriever for every query, twice over: the second time from what it kept.
    kept = Retriever(index)
    for _ in range(2):
        assert [kept.retrieve(_asked(matcher, n), (), 40) for n in QUERIES] == fresh
    assert kept._kept
    # Past its bound it starts afresh, and still finds the same.
    monkeypatch.setattr(retrieval, "MAX_KEPT", 3)
    small = Retriever(index)
    assert [small.retrieve(_asked(matcher, n), (), 40) for n in QUERIES] == fresh
    assert 0 < len(small._kept) <= 3


def test_a_name_held_out_is_not_retrieved(matcher: Matcher) -> None:
    asked = _asked(matcher, "Ocean Star")
    retriever = Retriever(matcher.index)
    found = retriever.retrieve(asked, (), 40)
    assert found
    assert found[0] not in retriever.retrieve(asked, {found[0]}, 40)


def test_listed_compounds_read_as_the_vocabulary_joins_them(matcher: Matcher) -> None:
    words = matcher.index.vocabulary.words
    runs = [[words[w] for w in run] for run in ([0, 1], [1, 2, 3], [3, 4], [len(words) - 1, 0])]
    runs += [[words[w], words[w + 1]] for w in range(len(words) - 1)]
    expected = [(j.form, j.skeleton, j.script) for j in map(joined_word, runs)]
    assert joined_pieces(runs) == expected


def test_keys_of_particles_and_initials_are_none(matcher: Matcher) -> None:
    (asked,) = _asked(matcher, "S. al Petrov")
    assert [word_keys(w) == [] for w in asked.words] == [True, True, False]


@pytest.mark.parametrize("lists", [{"test"}, {"other"}, {"test", "other"}, set()])
def test_matching_on_some_lists_filters_before_the_top(matcher: Matcher, lists: set[str]) -> None:
    query = Query("q", ("Mohammed Hussain Haddad",))
    every = matcher.match(query, top=100)
    some = matcher.match(query, top=3, lists=lists)
    expected = [m for m in every if m.list_code in lists][:3]
    assert [(m.entity_id, m.score) for m in some] == [(m.entity_id, m.score) for m in expected]
    assert [m.explanation for m in some] == [m.explanation for m in expected]


def test_ranked_parties_are_those_matched(matcher: Matcher) -> None:
    for name in QUERIES[:-1]:
        query = Query("q", (name,))
        matched = [(m.entity_id, m.score) for m in matcher.match(query, top=5, lists={"test"})]
        listed = matcher.index.entities
        ranked = [(listed[at].id, s) for at, s in matcher.ranked(query, 5, lists={"test"})]
        assert ranked == matched


def test_small_caches_change_nothing(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = [Query(str(i), (name,)) for i, name in enumerate(QUERIES[:-1])]
    expected = [[(m.entity_id, m.score, m.explanation) for m in matcher.match(q)] for q in queries]
    monkeypatch.setattr(prepared, "KEPT", 3)
    small = Matcher(matcher.index)
    for _ in range(2):
        found = [[(m.entity_id, m.score, m.explanation) for m in small.match(q)] for q in queries]
        assert found == expected
