"""The index build against a plain name-by-name reference: the same names, words, keys (in the
same order), postings and weights, built whole and in small slices."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qalxan.screening import acronyms, facts, index, postings, text, vocabulary
from qalxan.screening.index import Index
from qalxan.screening.keys import COMPOUND_MIN_SKELETON, word_keys
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.vocabulary import Vocabulary, compound_spans


def _entry(number: int, schema: str, names: list[str], weak: tuple[str, ...] = ()) -> ListEntry:
    entity = new_entity(schema, "test", f"e{number}")
    entity.add("name", names[0])
    entity.add("alias", names[1:])
    entity.add("weakAlias", list(weak))
    return ListEntry("test", f"e{number}", entity)


GIVEN = ("Ali", "Hasan", "Mohammed", "Abd", "Nasr", "Ivan", "Anna", "Sergey", "Леyla", "Əli")
FAMILY = ("al-Rahman", "ud Din", "Karimov", "Huseynov", "bin Laden", "Алиев", "حسين", "Weber")
SPECIAL = [
    _entry(0, "Person", ["Abd al-Rahman YASIN", "Nasr ud Din"], weak=("Abu Yasin",)),
    _entry(1, "Person", ["Sergey Sergey Shoigu", "S. Shoigu"]),
    _entry(2, "Organization", ["Gazprom Transgaz Saratov, OOO", "Limited Liability Company X"]),
    _entry(3, "Person", ["---", "Ilham Heydar oglu ALIYEV"]),
    _entry(4, "Vessel", ["OCEAN STAR"]),
    _entry(5, "Person", ["صدام حسين التكريتي", "Саддам Хусейн"]),
]


def _entries(count: int) -> list[ListEntry]:
    def given(i: int) -> str:
        return GIVEN[i % len(GIVEN)]

    def family(i: int) -> str:
        return FAMILY[i % len(FAMILY)]

    padding = [
        _entry(
            10 + i,
            "Person",
            [f"{given(i)} {given(i // 7)} {family(i // 3)}", f"{family(i)} {given(i // 11)}"],
        )
        for i in range(count)
    ]
    return SPECIAL + padding


def _reference(entries: list[ListEntry]) -> dict[str, Any]:
    """The index as adding the names one at a time makes it (how the build used to run)."""
    vocabulary = Vocabulary()
    keys: dict[str, int] = {}
    per_word: list[list[int]] = []
    names: list[str] = []
    name_words: list[int] = []
    name_start = [0]
    filed: dict[int, list[int]] = {}
    initials: dict[str, list[int]] = {}
    for entry in entries:
        person = entry.schema == "Person"
        for name, _ in facts.names_of(entry.entity):
            ids = [vocabulary.word_id(token) for token in text.tokens(name, person)]
            if not ids:
                continue
            number = len(names)
            names.append(name)
            name_words += ids
            name_start.append(len(name_words))
            for word in ids:
                if word == len(per_word):
                    found = word_keys(vocabulary.words[word])
                    per_word.append([keys.setdefault(k, len(keys)) for k in found])
            held = [k for word in ids for k in per_word[word]]
            words = [vocabulary.words[w] for w in ids]
            for first, last in compound_spans(words):
                bones = text.skeleton("".join(w.form for w in words[first : last + 1]))
                if len(bones) >= COMPOUND_MIN_SKELETON:
                    held.append(keys.setdefault(f"s{bones}", len(keys)))
            for key in dict.fromkeys(held):
                filed.setdefault(key, []).append(number)
            if entry.schema in acronyms.SCHEMATA:
                for acronym in acronyms.acronyms_of(words).initials:
                    initials.setdefault(f"a{acronym}", []).append(number)
    # An organisation's acronyms come after every other key.
    for key, held_by in initials.items():
        filed[keys.setdefault(key, len(keys))] = held_by
    counts = np.array([len(filed.get(k, [])) for k in range(len(keys))])
    return {
        "vocabulary": vocabulary,
        "names": names,
        "name_words": name_words,
        "name_start": name_start,
        "keys": _canonical_keys(keys, vocabulary),
        "postings": [filed[k] for k in range(len(keys))],
        "key_idf": np.log1p(len(names) / np.maximum(counts, 1)).astype(np.float32),
    }


def _canonical_keys(keys: dict[str, int], vocabulary: Vocabulary) -> list[str]:
    """Keys in id order, group numbers replaced by the groups' names: rigour may number the
    groups of a word differently from one process to the next."""
    names = {number: symbol for symbol, number in vocabulary._groups.items()}
    return [f"g{names[int(k[1:])]}" if k[0] == "g" else k for k in keys]


def _assert_same(built: Index, expected: dict[str, Any]) -> None:
    assert built.name_text == expected["names"]
    assert built.name_words.tolist() == expected["name_words"]
    assert built.name_start.tolist() == expected["name_start"]
    vocabulary: Vocabulary = expected["vocabulary"]
    assert built.vocabulary.ids == vocabulary.ids
    for mine, theirs in zip(built.vocabulary.words, vocabulary.words, strict=True):
        assert (mine.written, mine.form, mine.skeleton, mine.phonetic, mine.role) == (
            theirs.written,
            theirs.form,
            theirs.skeleton,
            theirs.phonetic,
            theirs.role,
        )
        assert len(mine.groups) == len(theirs.groups)
    assert _canonical_keys(built.keys, built.vocabulary) == expected["keys"]
    for key, names in enumerate(expected["postings"]):
        assert built.key_postings(key).tolist() == names
    kinds = np.array([index.KEY_WEIGHTS[k[0]] for k in expected["keys"]], np.float32)
    assert np.array_equal(built.key_weight, expected["key_idf"] * kinds)
    counts = np.bincount(built.name_words, minlength=len(vocabulary))
    idf = np.log1p(built.size / np.maximum(counts, 1)).astype(np.float32)
    assert np.array_equal(built.word_idf, idf)


def test_build_matches_name_by_name_reference() -> None:
    entries = _entries(300)
    built = Index.build(entries)
    assert built.size > 600  # every entry has names, but "---" has no words and is left out
    assert "---" not in built.name_text
    assert len(built.entities) == len(entries)
    assert built.name_weak.tolist().count(True) == 1
    # "abd al rahman" read as one word: a compound of three around a particle.
    assert f"s{text.skeleton('abdalrahman')}" in built.keys
    # An organisation's names are filed under their acronyms; a vessel's are not.
    assert "agts" in built.keys
    assert "aos" not in built.keys
    _assert_same(built, _reference(entries))


def test_build_of_many_entries_matches_reference() -> None:
    entries = _entries(3000)
    _assert_same(Index.build(entries), _reference(entries))


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_build_in_small_slices_matches_reference(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # A million names are worked through in slices; the slice edges must lose nothing.
    monkeypatch.setattr(postings, "PAIR_CHUNK", chunk)
    monkeypatch.setattr(postings, "RUN_CHUNK", chunk)
    entries = _entries(200)
    _assert_same(Index.build(entries), _reference(entries))


def test_tagger_is_preloaded_once() -> None:
    Index.build(_entries(1))
    assert vocabulary.tagger_loaded()
    assert vocabulary.preload_tagger() is None


@pytest.mark.parametrize(
    "forms",
    [
        ["s", "hah", "sch", "aa", "a", "", "", "tz", "ssss", "bbb", "b", "abbba"],
        ["mammadov", "husayn", "abdalrahman", "9"],
        [],
        ["a\nb", "c"],  # not a Latin form: worked out one by one
    ],
)
def test_skeletons_match_one_by_one(forms: list[str]) -> None:
    assert text.skeletons(forms) == [text.skeleton(form) for form in forms]
