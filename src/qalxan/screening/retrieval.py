"""Candidate retrieval: the indexed names sharing the most (and rarest) match keys with a
query, scored from the posting lists of the index by the C tally (``_retrieval.pyx``) where it
is built, else in a few NumPy array operations (the reference it is tested against)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from qalxan.screening.acronyms import NONE, may_be_one
from qalxan.screening.index import Index, word_keys
from qalxan.screening.keys import acronym_key, joined_keys
from qalxan.screening.scoring import Named

if TYPE_CHECKING:
    from qalxan.screening._retrieval import Tally

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.float64]

# A key held by more names than this share is too common to find anyone by.
MAX_KEY_SHARE = 0.2
# Postings below this share of the index are scored by sorting them, above by counting into an
# array of every name.
SPARSE_SHARE = 8
# The keys' postings kept of query words met before: for at most this many words.
MAX_KEPT = 200_000

# A key's postings: its weight, and where they start and end in the index's postings.
Range = tuple[float, int, int]


class Retriever:
    def __init__(self, index: Index, fast: bool = True) -> None:
        self.index = index
        # The names' scores added up in C when the Cython tally is built (the same ranking).
        self._tally = _tally(index.size) if fast else None
        self._max_postings = max(int(index.size * MAX_KEY_SHARE), 1000)
        # Where the postings of query words met before are, by their keys.
        self._kept: dict[tuple[str, ...], tuple[Range, ...]] = {}

    def retrieve(self, asked: list[Named], exclude: Collection[int], limit: int) -> list[int]:
        """The ``limit`` names sharing the most (and rarest) keys with the query, best first
        (``exclude``: name ids to leave out).

        A name scores, for each word of the query (and each compound), the weight of the
        rarest key it shares with that word, and these add up. Adding up every shared key
        instead favoured names written in the query's own script: an Arabic-script
        "محمد" shares its Latin form, skeleton, sound and name groups with every other
        Arabic-script "محمد" but only a group or two with "Mohammad", and listed names in
        Arabic script crowded the Latin ones out of the candidates."""
        index = self.index
        units = [ranges for keys in _units(asked) if (ranges := self._unit(keys))]
        if not units:
            return []
        if self._tally is not None:
            ranked: list[int] = self._tally.top(index.postings, units, exclude, limit)
            return ranked
        found = [self._postings(ranges) for ranges in units]
        ids = np.concatenate([f[0] for f in found]) if len(found) > 1 else found[0][0]
        each = np.concatenate([f[1] for f in found]) if len(found) > 1 else found[0][1]
        total = len(ids)
        hits: npt.NDArray[np.integer[Any]]
        if total * SPARSE_SHARE < index.size:
            # Few postings: sorting them is cheaper than a score for every indexed name.
            order = np.argsort(ids, kind="stable")
            ordered = ids[order]
            first = np.empty(total, np.bool_)
            first[0] = True
            np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
            hits = ordered[first]
            scores = np.bincount(np.cumsum(first) - 1, each[order])
        else:
            scores = np.bincount(ids, each)
            hits = np.flatnonzero(scores)
            scores = scores[hits]
        if exclude:
            scores[np.isin(hits, np.fromiter(exclude, np.int64))] = 0
        keep = scores > 0
        hits, scores = hits[keep], scores[keep]
        if len(hits) > limit:
            # The names above the limit's score, then those at it with the lowest ids (as
            # the C tally ranks ties): the same candidates whatever the sort's algorithm.
            least = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            above = np.flatnonzero(scores > least)
            tied = np.flatnonzero(scores == least)[: limit - len(above)]
            top = np.concatenate((above, tied))
            hits, scores = hits[top], scores[top]
        # Hits come in the order of their ids: best first, ties by id.
        best: list[int] = hits[np.argsort(-scores, kind="stable")].tolist()
        return best

    def _unit(self, keys: list[str]) -> tuple[Range, ...]:
        """The postings of one query word's ``keys`` as ranges, the rarest key first, keys
        too common to find anyone by left out (kept: a batch meets the same words query after
        query)."""
        known = tuple(keys)
        found = self._kept.get(known)
        if found is None:
            index = self.index
            ranges = []
            for key in keys:
                k = index.keys.get(key)
                if k is None:
                    continue
                start, end = int(index.key_start[k]), int(index.key_start[k + 1])
                if 0 < end - start <= self._max_postings:
                    ranges.append((float(index.key_weight[k]), start, end))
            ranges.sort(key=lambda f: -f[0])
            found = tuple(ranges)
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[known] = found
        return found

    def _postings(self, ranges: tuple[Range, ...]) -> tuple[Ints, Floats]:
        """The names of one query word's postings ``ranges``, each once, with the weight of
        the first range that holds it (the rarest key it shares)."""
        index = self.index
        if len(ranges) == 1:
            weight, start, end = ranges[0]
            return index.postings[start:end], np.full(end - start, weight)
        seen = np.zeros(index.size, np.bool_)
        chunks: list[Ints] = []
        weights: list[float] = []
        for weight, start, end in ranges:
            postings = index.postings[start:end]
            fresh = postings[~seen[postings]]
            if len(fresh):
                seen[fresh] = True
                chunks.append(fresh)
                weights.append(weight)
        return np.concatenate(chunks), np.repeat(
            np.array(weights, np.float64), [len(c) for c in chunks]
        )


def _units(asked: list[Named]) -> list[list[str]]:
    """The match keys of each word and each compound of the query names, and of an
    organisation's acronyms: a word that may be one looks for the names it stands for too,
    an acronym of the query's words for the names that write it."""
    units = []
    for a in asked:
        for word in a.words:
            keys = word_keys(word)
            if a.acronyms is not NONE and may_be_one(word):
                keys.append(acronym_key(word.form))
            units.append(list(dict.fromkeys(keys)))
    # A compound of the query's words finds the names that write it as one word by its form
    # ("South Front": "SOUTHFRONT"), as those words would find the names that write them: by
    # its skeleton alone it weighed less than either word, and names sharing one of them
    # crowded the one that holds both out of the candidates.
    units += [joined_keys(word) for a in asked for _, _, word in a.compounds]
    units += [[f"f{key}"] for a in asked for key in a.acronyms.initials]
    return units


def _tally(size: int) -> Tally | None:
    """The C tally for an index of ``size`` names, or None when it is not built."""
    try:
        from qalxan.screening._retrieval import Tally
    except ImportError:
        return None
    return Tally(size)
