"""The Cython modules against the Python they stand for. The pairing (``_pairing.pyx``): the
same scores and the same pairs of words, to the last bit, on names that take every path
(compounds, acronyms, initials, one-word names, other scripts, names too long for its bit
sets). The tally (``_retrieval.pyx``): the same candidates in the same order."""

from __future__ import annotations

import os
import random
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz.distance import OSA

from qalxan.screening import pairing, retrieval
from qalxan.screening.importers import ofac_csv, un_xml
from qalxan.screening.index import Index
from qalxan.screening.matcher import Matcher
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.pairing import Pairs
from qalxan.screening.query import Query
from qalxan.screening.retrieval import Retriever
from qalxan.screening.scoring import Named
from qalxan.screening.text import skeleton

native = pairing.native()
needs_native = pytest.mark.skipif(
    native is None, reason="the Cython pairing is not built (scripts/compile.py, make setup)"
)
ROOT = Path(__file__).resolve().parents[2]
SCREENING = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared")) / "data" / "screening"

PERSONS = [
    "Saddam Hussein AL-TIKRITI",
    "Abd al-Rahman YASIN",
    "Abdulrahman Yassin",
    "S. I. PETROV",
    "Sergei Ivanovich PETROV",
    "عبد الرحمن ياسين",
    "صدام حسين التكريتي",
    "Мамедов Али Гасан оглы",
    "Nasr ud Din HAMDULLAH",
    "Hamd Allah Nasruddin",
    "Dikiy Dykyy",
    "Ilham Heydar oglu ALIYEV",
    "Mohammed bin Salman al Saud",
    "Muhammad Ali Haddad",
    "Ali Ali Karimov",
    "Abu Bakr al-Baghdadi",
    "Abubakr Baghdadi",
    "Jean-Pierre Le Pen",
    "Zhang Wei",
    "张伟",
]
ORGANISATIONS = [
    "Islamic Revolutionary Guard Corps",
    "IRGC",
    "Bank Melli Iran",
    "Bank Markazi Iran",
    "Gazprom Transgaz Saratov, OOO",
    "Ocean Star Trading LLC",
    "Steris",
    "Stars Group",
    "Nissan",
    "Al Madina Trust",
    "Al-Madinah Charitable Trust",
    "S&P Global",
    "M.T. Holdings",
    "Abd al Aziz Trading Company",
]
QUERIES = [
    "Hussein Saddam",
    "Abdul Rahman Yasin",
    "Abdalrahman Jassin",
    "S Petrov",
    "Sergey I Petrov",
    "Hamdullah Nasr ud Din",
    "Dikii Dykii",
    "Mamedov Ali Hasan",
    "Aliyev Ilham",
    "Mohamed Salman",
    "Abu Bakr Baghdadi",
    "Le Pen Jean Pierre",
    "Zhang",
    "IRGC",
    "Islamic Revolutionary Guard",
    "BMI",
    "Gasprom",
    "Stars",
    "Steris Corp",
    "Almadina Trust",
    "Abdalaziz Trading",
    "M T Holdings",
    "Zzyzx Qwerty",
    # More words than the module's bit sets hold: the Python path, the same results.
    " ".join(f"word{n}" for n in range(70)) + " Petrov",
]


def _entries() -> list[ListEntry]:
    rows = [("Person", name) for name in PERSONS] + [
        ("Organization", name) for name in ORGANISATIONS
    ]
    # Recombined names, so that a query meets many candidates sharing its words.
    firsts = ["Ali", "Hasan", "Mohammed", "Ivan", "Abd al", "S.", "Omar"]
    lasts = ["Karimov", "Huseynov", "Rahimi", "Haddad", "Petrov", "Yasin", "al Saud"]
    rows += [("Person", f"{a} {b}") for a, b in product(firsts, lasts)]
    rows += [("Vessel", "OCEAN STAR"), ("Company", "Ocean Star Shipping")]
    rows += [("Person", " ".join(f"name{n}" for n in range(80)) + " Petrov")]
    entries = []
    for number, (schema, name) in enumerate(rows):
        entity = new_entity(schema, "test", f"e{number}")
        entity.add("name", name)
        entries.append(ListEntry("test", f"e{number}", entity))
    return entries


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Index.build(_entries()))


def _same_pairs(matcher: Matcher, queries: list[tuple[str, str]]) -> int:
    """Compare both paths on every query against every indexed name; the pairs found."""
    index = matcher.index
    names = list(range(index.size))
    fast, plain = Pairs(index), Pairs(index, fast=False)
    assert fast.fast and not plain.fast
    found = 0
    for text, schema in queries:
        asked: Named = matcher._named(text, schema)
        if not asked.words:
            continue
        scores = fast.scores(asked, names)
        assert scores == plain.scores(asked, names), text
        for name, score in zip(names, scores, strict=True):
            assert fast.spans(asked, name) == plain.spans(asked, name), text
            found += score > 0
    return found


@needs_native
def test_the_same_scores_and_pairs_as_python(matcher: Matcher) -> None:
    queries = [(q, s) for q in QUERIES for s in ("Person", "Organization", "Vessel")]
    # Every listed name as a query of its own, as another schema too.
    queries += [(name, s) for name in PERSONS + ORGANISATIONS for s in ("Person", "Company")]
    assert _same_pairs(matcher, queries) > 500


@needs_native
def test_the_same_matches_and_explanations_as_python(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = [Query(str(n), (q,), schema="Person") for n, q in enumerate(QUERIES)]
    queries += [Query(f"o{n}", (q,), schema="Organization") for n, q in enumerate(ORGANISATIONS)]
    fast = [[(m.entity_id, m.score, m.explanation) for m in matcher.match(q)] for q in queries]
    monkeypatch.setattr(pairing, "native", lambda: None)
    plain = Matcher(matcher.index)
    assert not plain._pairs.fast
    slow = [[(m.entity_id, m.score, m.explanation) for m in plain.match(q)] for q in queries]
    assert slow == fast
    assert sum(len(found) for found in fast) > 100


@needs_native
def test_spellings_compare_as_rapidfuzz_compares_them() -> None:
    assert native is not None
    rng = random.Random(5)
    letters = "abcdeéжш中"
    for number in range(20_000):
        alphabet = letters[: rng.randint(1, len(letters))]
        # Mostly words of a name's length; some empty, some past the 64 letters of the
        # bit-parallel table.
        longest = 80 if number % 7 == 0 else 12
        a = "".join(rng.choices(alphabet, k=rng.randint(0, longest)))
        b = "".join(rng.choices(alphabet, k=rng.randint(0, longest)))
        assert native.spelling_similarity(a, b) == OSA.normalized_similarity(a, b), (a, b)


@needs_native
def test_skeletons_are_worked_out_as_text_works_them_out() -> None:
    assert native is not None
    rng = random.Random(11)
    # Every letter the skeleton's rules name, so that letter pairs, repeats and vowels meet.
    letters = "abcdghjkpqstvwxyz0aeiouhh"
    forms = ["", "a", "schtch", "dzhdzh", "mammadov", "abdalrahman", "tsts", "kkhh", "aaa"]
    forms += ["".join(rng.choices(letters, k=rng.randint(0, 30))) for _ in range(20_000)]
    for form in forms:
        assert native.skeleton(form) == skeleton(form), form


@needs_native
def test_names_score_the_same_whichever_query_met_them_first(matcher: Matcher) -> None:
    index = matcher.index
    forwards, backwards = Pairs(index), Pairs(index)
    names = list(range(index.size))
    asked = [matcher._named(q, s) for q in QUERIES[:-1] for s in ("Person", "Company")]
    # One learns the names (and their compounds' skeletons) in the order of the index, the
    # other in reverse, query by query in reverse.
    first = [forwards.scores(a, names) for a in asked]
    last = [backwards.scores(a, names[::-1])[::-1] for a in asked[::-1]][::-1]
    assert first == last
    assert native is not None
    with pytest.raises(IndexError, match="not in the index"):
        native.Pairing(index, forwards.listed).scores(asked[0], [index.size])


@needs_native
def test_too_many_query_words_are_refused() -> None:
    index = Index.build(_entries()[:3])
    assert native is not None
    words = Matcher(index)._named(" ".join(f"w{n}" for n in range(65)), "Person")
    with pytest.raises(ValueError, match="1 to 64 words"):
        native.Pairing(index, Pairs(index).listed).scores(words, [])


def _shared(relative: str) -> Path:
    path = SCREENING / relative
    if not path.exists():
        pytest.skip(f"screening data absent: {path}")
    return path


@needs_native
def test_the_same_on_real_lists() -> None:
    entries = un_xml.read(_shared("un/un_sc_consolidated_2026-02-27.dev.xml"), "un-sc")
    entries += ofac_csv.read(_shared("ofac/cons_nonsdn"), "ofac-cons")
    matcher = Matcher(Index.build(entries))
    index = matcher.index
    rng = random.Random(3)
    names = rng.sample(range(index.size), 400)
    parties = index.entities
    queries = [(index.name_text[n], parties[int(index.name_entity[n])].schema) for n in names]
    # Against a share of the names (every name for 400 queries would take minutes).
    found = 0
    fast, plain = Pairs(index), Pairs(index, fast=False)
    for text, schema in queries:
        asked = matcher._named(text, schema)
        if not asked.words:
            continue
        at = set(matcher.candidates_of(Query("q", (text,), schema=schema), 60))
        ids = [n for n, entity in enumerate(index.name_entity.tolist()) if entity in at]
        scores = fast.scores(asked, ids)
        assert scores == plain.scores(asked, ids), text
        for name in ids:
            assert fast.spans(asked, name) == plain.spans(asked, name), text
        found += len(ids)
    assert found > 1000


needs_tally = pytest.mark.skipif(
    retrieval._tally(1) is None,
    reason="the Cython tally is not built (scripts/compile.py, make setup)",
)


@needs_tally
@pytest.mark.parametrize("limit", [1, 3, 10, 40, 10_000])
def test_the_tally_ranks_as_numpy_does(matcher: Matcher, limit: int) -> None:
    index = matcher.index
    fast, plain = Retriever(index), Retriever(index, fast=False)
    assert fast._tally is not None and plain._tally is None
    texts = QUERIES + PERSONS + ORGANISATIONS + ["Ali", "Mohammed Ali", "al", "Ocean"]
    found = 0
    for text in texts:
        for schema in ("Person", "Organization"):
            asked = [a for a in [matcher._named(text, schema)] if a.words]
            ranked = fast.retrieve(asked, (), limit)
            assert ranked == plain.retrieve(asked, (), limit), text
            left_out = set(ranked[::2])
            assert fast.retrieve(asked, left_out, limit) == plain.retrieve(asked, left_out, limit)
            found += len(ranked)
    assert found > 100


@needs_tally
def test_ties_rank_by_name_id() -> None:
    tally = retrieval._tally(10)
    assert tally is not None
    postings = np.array([7, 3, 5, 9, 3, 5, 3, 8], np.int32)
    # One word: names 7, 3, 5 under its rarest key (2.0), 9 under its next (0.5). Another:
    # 3 and 5 (1.0), and 3 again under a commoner key, where it counts no more.
    units = [((2.0, 0, 3), (0.5, 3, 4)), ((1.0, 4, 6), (0.25, 6, 7))]
    # 3 and 5 score 3.0; 7 scores 2.0; 9 0.5.
    assert tally.top(postings, units, (), 10) == [3, 5, 7, 9]
    assert tally.top(postings, units, (), 2) == [3, 5]
    assert tally.top(postings, units, {3}, 2) == [5, 7]
    # A fresh query: nothing of the last one's scores is left.
    assert tally.top(postings, [((1.0, 7, 8),)], (), 5) == [8]
    with pytest.raises(IndexError, match="not in the index"):
        tally.top(np.array([10], np.int32), [((1.0, 0, 1),)], (), 5)
    with pytest.raises(IndexError, match="postings 6 to 9"):
        tally.top(postings, [((1.0, 6, 9),)], (), 5)
