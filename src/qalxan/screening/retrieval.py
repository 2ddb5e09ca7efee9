"""Candidate retrieval: the indexed names sharing the most (and rarest) match keys with a
query, scored from the posting lists of the index in a few array operations."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import numpy.typing as npt

from qalxan.screening.index import COMPOUND_MIN_SKELETON, Index, word_keys
from qalxan.screening.scoring import Named

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
        (``exclude``: name ids to leave out)."""
        index = self.index
        found: list[int] = []
        shares: list[float] = []
        for a in asked:
            for key, share in _keys(a).items():
                k = index.keys.get(key)
                if k is not None:
                    found.append(k)
                    shares.append(share)
        if not found:
            return []
        keys = np.array(found, np.int64)
        starts = index.key_start[keys]
        lengths = index.key_start[keys + 1] - starts
        usable = (lengths > 0) & (lengths <= self._max_postings)
        if not usable.all():
            keys, starts, lengths = keys[usable], starts[usable], lengths[usable]
            if not len(keys):
                return []
        # Each key's weight in single precision, as the key weights are kept.
        weights = index.key_weight[keys] * np.array(shares, np.float32)[usable]
        postings = index.postings
        ids = np.concatenate(
            [
                postings[start:end]
                for start, end in zip(starts.tolist(), (starts + lengths).tolist(), strict=True)
            ]
        )
        total = len(ids)
        each = np.repeat(weights.astype(np.float64), lengths)
        hits: npt.NDArray[np.integer[Any]]
        if total * SPARSE_SHARE < index.size:
            # Few postings: sorting them is cheaper than a score for every indexed name. A
            # stable sort keeps each name's weights in key order, so that its score adds them
            # up in that order as counting does; as each key's postings come in name order,
            # it merges runs.
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


def _keys(asked: Named) -> dict[str, float]:
    """The match keys of a query name and each one's share of its weight."""
    # A word's name groups share one key's weight: "Mohammed" belongs to a score of groups
    # and would otherwise outweigh the rare surname next to it.
    keys: dict[str, float] = {}
    for word in asked.words:
        share = 1.0 / max(len(word.groups), 1)
        for key in word_keys(word):
            keys[key] = max(keys.get(key, 0.0), share if key[0] == "g" else 1.0)
    for _, _, word in asked.compounds:
        if len(word.skeleton) >= COMPOUND_MIN_SKELETON:
            keys[f"s{word.skeleton}"] = 1.0
    return keys
