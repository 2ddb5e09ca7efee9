"""Candidate retrieval: the indexed names sharing the most (and rarest) match keys with a
query, scored from the posting lists of the index in a few array operations."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import numpy.typing as npt

from qalxan.screening.index import COMPOUND_MIN_SKELETON, Index, word_keys
from qalxan.screening.scoring import Named

Ints = npt.NDArray[np.integer[Any]]

# A key held by more names than this share is too common to find anyone by.
MAX_KEY_SHARE = 0.2
# Postings below this share of the index are scored by sorting them, above by counting into an
# array of every name.
SPARSE_SHARE = 8


class Retriever:
    def __init__(self, index: Index) -> None:
        self.index = index
        self._max_postings = max(int(index.size * MAX_KEY_SHARE), 1000)

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
        chunks: list[Ints] = []
        weights: list[float] = []
        for unit in _units(asked):
            self._unit(unit, chunks, weights)
        if not chunks:
            return []
        ids = np.concatenate(chunks)
        total = len(ids)
        each = np.repeat(np.array(weights, np.float64), [len(c) for c in chunks])
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
            top = np.argpartition(scores, -limit)[-limit:]
            hits, scores = hits[top], scores[top]
        ranked: list[int] = hits[np.argsort(-scores, kind="stable")].tolist()
        return ranked

    def _unit(self, keys: list[str], chunks: list[Ints], weights: list[float]) -> None:
        """The names sharing any of one query word's ``keys``, each once, with the weight of
        the rarest key it shares (appended to ``chunks`` and ``weights``, a chunk per key)."""
        index = self.index
        found = []
        for key in keys:
            k = index.keys.get(key)
            if k is None:
                continue
            start, end = int(index.key_start[k]), int(index.key_start[k + 1])
            if 0 < end - start <= self._max_postings:
                found.append((float(index.key_weight[k]), start, end))
        if len(found) == 1:
            weight, start, end = found[0]
            chunks.append(index.postings[start:end])
            weights.append(weight)
            return
        # Rarest first: a name is counted under the first key that has it.
        found.sort(key=lambda f: -f[0])
        seen = np.zeros(index.size, np.bool_)
        for weight, start, end in found:
            postings = index.postings[start:end]
            fresh = postings[~seen[postings]]
            if len(fresh):
                seen[fresh] = True
                chunks.append(fresh)
                weights.append(weight)


def _units(asked: list[Named]) -> list[list[str]]:
    """The match keys of each word and each compound of the query names."""
    units = [list(dict.fromkeys(word_keys(word))) for a in asked for word in a.words]
    units += [
        [f"s{word.skeleton}"]
        for a in asked
        for _, _, word in a.compounds
        if len(word.skeleton) >= COMPOUND_MIN_SKELETON
    ]
    return units
