"""The posting lists of the index, made from its names as word ids in a few array passes.

Every name is filed under the keys of its words and the skeletons of its compounds (runs of
words read as one), each key once per name; an organisation's names under their acronyms too,
those keys numbered after all others. Key ids are numbered in the order the keys first
appear name by name (a name's words, then its compounds), and postings hold each key's names
in ascending order: the same index, id for id, as adding the names one at a time would give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from qalxan.screening import text
from qalxan.screening.keys import KEY_WEIGHTS, acronym_key, compound_key, word_keys
from qalxan.screening.vocabulary import PARTICLE, Vocabulary

IntArray = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
# Compounds whose skeletons are worked out in one pass (a bound on the strings held at once).
RUN_CHUNK = 1 << 16
# Pairs worked on at once (a bound on the temporary arrays).
PAIR_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Postings:
    keys: dict[str, int]
    key_start: IntArray
    postings: IntArray
    key_weight: npt.NDArray[np.float32]
    word_idf: npt.NDArray[np.float32]
    max_idf: float


@dataclass(frozen=True, slots=True)
class _Runs:
    """The compounds of every name: each occurrence's name and run number, and each distinct
    run's words (``third`` is -1 for a pair), numbered in the order they first appear."""

    name: IntArray
    run: Int64Array
    first: Int64Array
    second: Int64Array
    third: Int64Array
    first_name: IntArray


def postings(vocabulary: Vocabulary, name_words: IntArray, name_start: IntArray) -> Postings:
    """The postings of the names ``name_words[name_start[i]:name_start[i + 1]]``."""
    names = len(name_start) - 1
    size = max(names, 1)
    name_of = np.repeat(np.arange(names, dtype=np.int32), np.diff(name_start))
    runs = _runs(vocabulary, name_words, name_start, name_of)
    keys, word_key_ids, run_keys = _number_keys(vocabulary, name_words, name_of, runs)
    compound = run_keys[runs.run]
    held = compound >= 0
    pairs = _pairs(name_words, name_of, word_key_ids, compound[held], runs.name[held], size)
    del runs, compound, held, name_of
    bounds = np.searchsorted(pairs, np.arange(len(keys) + 1, dtype=np.int64) * size)
    key_start = bounds.astype(np.int32)
    key_counts = np.diff(bounds).astype(np.int32)
    found = np.remainder(pairs, size, out=pairs).astype(np.int32)
    del pairs
    idf = np.log1p(size / np.maximum(key_counts, 1)).astype(np.float32)
    kinds = np.array([KEY_WEIGHTS[k[0]] for k in keys], np.float32)
    key_weight = idf * kinds if len(kinds) else np.zeros(0, np.float32)
    # A word's weight in scoring: how rare it is among the indexed names.
    word_counts = np.bincount(name_words, minlength=len(vocabulary))
    word_idf = np.log1p(size / np.maximum(word_counts, 1)).astype(np.float32)
    return Postings(keys, key_start, found, key_weight, word_idf, float(math.log1p(size)))


def with_acronyms(made: Postings, names: list[tuple[int, list[str]]], size: int) -> Postings:
    """``made`` (the postings of ``size`` names) with the acronym keys of ``names`` (``(name,
    its acronyms)``, in name order) added after its own keys."""
    filed: dict[str, list[int]] = {}
    for name, initials in names:
        for key in dict.fromkeys(initials):
            filed.setdefault(acronym_key(key), []).append(name)
    if not filed:
        return made
    keys = dict(made.keys)
    for key in filed:
        keys[key] = len(keys)
    counts = np.array([len(held) for held in filed.values()], np.int64)
    weight = np.log1p(max(size, 1) / counts).astype(np.float32) * np.float32(KEY_WEIGHTS["a"])
    ends = int(made.key_start[-1]) + np.cumsum(counts)
    return Postings(
        keys,
        np.concatenate((made.key_start, ends.astype(np.int32))),
        np.concatenate((made.postings, np.fromiter(chain.from_iterable(filed.values()), np.int32))),
        np.concatenate((made.key_weight, weight)),
        made.word_idf,
        made.max_idf,
    )


def _pairs(
    name_words: IntArray,
    name_of: IntArray,
    word_key_ids: list[list[int]],
    compound_keys: Int64Array,
    compound_names: IntArray,
    size: int,
) -> Int64Array:
    """Every (key, name) pair as ``key * size + name``, sorted (by key, then name), each once
    however many words of the name share the key. Built in place: at a million names these are
    some twenty million pairs."""
    counts = np.array([len(ids) for ids in word_key_ids], np.int64)
    flat = np.array([k for ids in word_key_ids for k in ids], np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)))
    per_position = counts[name_words]
    total = int(per_position.sum())
    pairs = np.empty(total + len(compound_keys), np.int64)
    own = pairs[:total]
    # Position i's keys are flat[starts[word]:starts[word] + count]: the indexes into flat as
    # the running sum of steps of one, jumping at each position's first key.
    keyed = per_position > 0
    ends = np.cumsum(per_position)
    block = (ends - per_position)[keyed]
    target = starts[name_words][keyed]
    own.fill(1)
    if len(block):
        jumps = target.copy()
        jumps[1:] -= target[:-1] + per_position[keyed][:-1] - 1
        own[block] = jumps
    np.cumsum(own, out=own)
    # Indexes to keys to pairs, a slice at a time: whole-array steps would each want another
    # array as large as all the pairs.
    for low in range(0, len(name_words), PAIR_CHUNK):
        high = min(low + PAIR_CHUNK, len(name_words))
        span = own[int(ends[low] - per_position[low]) : int(ends[high - 1])]
        span[:] = flat[span]
        span *= size
        span += np.repeat(name_of[low:high], per_position[low:high])
    pairs[total:] = compound_keys * size + compound_names
    pairs.sort()
    # Each pair once, moved down in place slice by slice (a slice is read before it is
    # written over).
    kept = 0
    previous = -1  # no pair: keys and names are never negative
    for low in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[low : low + PAIR_CHUNK]
        keep = np.empty(len(chunk), np.bool_)
        keep[0] = chunk[0] != previous
        np.not_equal(chunk[1:], chunk[:-1], out=keep[1:])
        previous = int(chunk[-1])
        moved = chunk[keep]
        pairs[kept : kept + len(moved)] = moved
        kept += len(moved)
    return pairs[:kept]


def _runs(
    vocabulary: Vocabulary, name_words: IntArray, name_start: IntArray, name_of: IntArray
) -> _Runs:
    """The runs of :func:`vocabulary.compound_spans` of every name, as arrays."""
    words = name_words
    # A pair begins at every position but a name's last; a run of three where the next word
    # is a particle and the name goes on past it.
    pair = np.ones(len(words) + 1, np.bool_)
    pair[name_start[1:] - 1] = False
    pair[-1] = False
    particle = np.array([w.role == PARTICLE for w in vocabulary.words] + [False], np.bool_)
    triple = np.zeros_like(pair)
    triple[:-2] = pair[:-2] & pair[1:-1] & particle[words[1:]]
    # Occurrences in the order compound_spans gives them, name after name: a pair at p, then
    # the run of three at p.
    spans = np.flatnonzero(np.stack((pair[:-1], triple[:-1]), axis=1).reshape(-1))
    at = spans >> 1
    last = len(words) - 1
    first = words[at].astype(np.int64)
    second = words[np.minimum(at + 1, last)].astype(np.int64)
    third = np.where(spans & 1, words[np.minimum(at + 2, last)], -1).astype(np.int64)
    del spans, pair, triple
    _, where, run = np.unique(_codes(first, second, third), return_index=True, return_inverse=True)
    # Distinct runs renumbered by first appearance.
    by_appearance = np.argsort(where, kind="stable")
    number = np.empty(len(where), np.int64)
    number[by_appearance] = np.arange(len(where), dtype=np.int64)
    seen = where[by_appearance]
    return _Runs(
        name=name_of[at],
        run=number[run.reshape(-1)],
        first=first[seen],
        second=second[seen],
        third=third[seen],
        first_name=name_of[at][seen],
    )


def _codes(first: Int64Array, second: Int64Array, third: Int64Array) -> npt.NDArray[Any]:
    """One comparable value per run of two or three words."""
    size = int(max(first.max(initial=0), second.max(initial=0), third.max(initial=0))) + 2
    if size**3 < 2**62:
        return (first * size + second) * size + third + 1
    stacked = np.stack((first, second, third), axis=1)
    return np.ascontiguousarray(stacked).view(np.dtype((np.void, 24))).reshape(-1)


def _number_keys(
    vocabulary: Vocabulary, name_words: IntArray, name_of: IntArray, runs: _Runs
) -> tuple[dict[str, int], list[list[int]], Int64Array]:
    """Key ids in order of first appearance: a word's keys when the word first appears (word
    ids already follow that order), a run's after the words of the name it first appears in."""
    words = vocabulary.words
    _, first_at = np.unique(name_words, return_index=True)
    assert len(first_at) == len(words), "every word of the vocabulary is in some name"
    word_first_name = name_of[first_at]
    # A pair's third word is -1: the empty form.
    forms = [w.form for w in words] + [""]
    run_keys: list[str | None] = []
    for chunk in range(0, len(runs.first), RUN_CHUNK):
        part = slice(chunk, chunk + RUN_CHUNK)
        joined = zip(
            runs.first[part].tolist(),
            runs.second[part].tolist(),
            runs.third[part].tolist(),
            strict=True,
        )
        bones = text.skeletons([forms[a] + forms[b] + forms[c] for a, b, c in joined])
        run_keys += map(compound_key, bones)
    # Every key in the order the name-by-name build meets them: a word's keys before the
    # first run that begins in the name the word first appears in or after it.
    by_word = [word_keys(word) for word in words]
    before = np.searchsorted(runs.first_name, word_first_name, side="left").tolist()
    met: list[str | None] = []
    done = 0
    for word, at in enumerate(before):
        met += run_keys[done:at]
        met += by_word[word]
        done = at
    met += run_keys[done:]
    # One table from key to id (first met, first numbered), compounds too short for a key
    # (None) at -1 until the end.
    table: dict[str | None, int] = dict.fromkeys(met, -1)
    del met
    count = 0
    for key in table:
        if key is not None:
            table[key] = count
            count += 1
    numbers = np.fromiter(map(table.__getitem__, run_keys), np.int64, count=len(run_keys))
    table.pop(None, None)
    keys = cast(dict[str, int], table)
    word_key_ids = [[keys[k] for k in found] for found in by_word]
    return keys, word_key_ids, numbers
