"""Screening one query: candidates from the index by shared match keys, then every candidate
name compared word by word, then the entity's other facts weighed. Every match says why.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import numpy.typing as npt

from qalxan.screening import evidence, text
from qalxan.screening.index import COMPOUND_MIN_SKELETON, Index, word_keys
from qalxan.screening.query import Match, Query
from qalxan.screening.scoring import (
    ROLE_WEIGHT,
    Listed,
    Named,
    NameScore,
    Piece,
    as_listed,
    compare,
    listed,
    memo_for,
)
from qalxan.screening.vocabulary import (
    NAME,
    ORG_WORD,
    Word,
    compound_spans,
    compounds,
    joined_word,
)

# Names compared in full per query: the retrieval score orders them well enough that the
# right one is nearly always among the first few dozen.
CANDIDATES = 40
# A key held by more names than this share is too common to find anyone by.
MAX_KEY_SHARE = 0.2
WEAK_NAME = 0.95
NAMED_CACHE = 200_000
# Postings below this share of the index are scored by sorting them, above by counting into an
# array of every name.
SPARSE_SHARE = 8


class Matcher:
    def __init__(self, index: Index, candidates: int = CANDIDATES) -> None:
        self.index = index
        self.candidates = candidates
        self._max_postings = max(int(index.size * MAX_KEY_SHARE), 1000)
        # Ints, strings and tuples only (see :class:`Listed`).
        self._listed_cache: dict[int, Listed] = {}
        self._runs: dict[tuple[int, ...], tuple[str, str, str]] = {}

    def match(self, query: Query, top: int = 10, exclude: Collection[int] = ()) -> list[Match]:
        """The ``top`` best matches, best first (``exclude``: name ids to leave out)."""
        person = query.schema == "Person"
        asked = [self._named(name, person) for name in query.names]
        asked = [a for a in asked if a.words]
        names = self._retrieve(asked, exclude)
        best: dict[int, tuple[float, int, NameScore]] = {}
        index = self.index
        memos = [memo_for(a) for a in asked]
        table = index.vocabulary.words
        for name in names:
            entity = int(index.name_entity[name])
            if not evidence.compatible(query.schema, index.entities[entity].schema):
                continue
            found = self._listed(name, index.entities[entity].schema == "Person")
            weak = WEAK_NAME if index.name_weak[name] else 1.0
            for a, memo in zip(asked, memos, strict=True):
                result = compare(a, found, table, memo)
                score = result.score * weak
                if entity not in best or score > best[entity][0]:
                    best[entity] = (score, name, result)
        scored = []
        for entity, (score, name, result) in best.items():
            features = {"name": round(score, 4)}
            features.update(evidence.weigh(query, index.entities[entity].facts))
            total = score + sum(v for k, v in features.items() if k != "name")
            scored.append((max(0.0, min(1.0, total)), entity, name, result, features))
        scored.sort(key=lambda found: found[0], reverse=True)
        return [self._match(*found) for found in scored[:top]]

    def compare_names(self, first: str, second: str, schema: str = "Person") -> NameScore:
        """How alike two names are, words weighed by their rarity on the indexed lists."""
        person = schema == "Person"
        other, table = as_listed(self._named(second, person))
        return compare(self._named(first, person), other, table)

    def _named(self, name: str, person: bool) -> Named:
        vocabulary = self.index.vocabulary
        # A word written twice ("Sergey Sergey Shoigu") is one word of the name.
        tokens = list(dict.fromkeys(t.lower() for t in text.tokens(name, person)))
        words = [vocabulary.lookup(token) for token in tokens]
        weights = self._weights(words, person)
        return Named(words, weights, compounds(words), sum(weights))

    def _listed(self, name: int, person: bool) -> Listed:
        """The listed name ready to compare (kept: the same names come up query after
        query)."""
        found = self._listed_cache.get(name)
        if found is None:
            table = self.index.vocabulary.words
            ids = tuple(self.index.words_of(name).tolist())
            words = [table[w] for w in ids]
            joined = [self._piece(ids, first, last) for first, last in compound_spans(words)]
            found = listed(ids, words, self._weights(words, person), joined)
            if len(self._listed_cache) >= NAMED_CACHE:
                self._listed_cache.clear()
            self._listed_cache[name] = found
        return found

    def _piece(self, ids: tuple[int, ...], first: int, last: int) -> Piece:
        """The compound of words ``first`` to ``last`` (worked out once per run of words: the
        same runs recur from name to name)."""
        run = ids[first : last + 1]
        found = self._runs.get(run)
        if found is None:
            word = joined_word([self.index.vocabulary.words[w] for w in run])
            found = (word.form, word.skeleton, word.script)
            if len(self._runs) >= NAMED_CACHE:
                self._runs.clear()
            self._runs[run] = found
        return (first, last, *found)

    def _weights(self, words: list[Word], person: bool) -> list[float]:
        index = self.index
        ids = index.vocabulary.ids
        found = []
        for word in words:
            known = ids.get(word.written)
            idf = float(index.word_idf[known]) if known is not None else self._unseen(word)
            role = NAME if person and word.role == ORG_WORD else word.role
            found.append(idf * ROLE_WEIGHT[role])
        return found

    def _unseen(self, word: Word) -> float:
        """A word no listed name has is weighed by how common its keys are (an Arabic
        spelling of "Mohammed" is no rarer than "Mohammed")."""
        index = self.index
        sizes = [
            int(index.key_start[k + 1] - index.key_start[k])
            for key in word_keys(word)
            if (k := index.keys.get(key)) is not None
        ]
        if not sizes:
            return index.max_idf
        return float(np.log1p(index.size / max(sizes)))

    def candidates_of(self, query: Query, limit: int, exclude: Collection[int] = ()) -> list[int]:
        """The entities (index positions) of the ``limit`` names retrieval ranks first, best
        first: what a benchmark hands another matcher to rescore."""
        person = query.schema == "Person"
        asked = [a for a in (self._named(name, person) for name in query.names) if a.words]
        found: list[int] = []
        for name in self._retrieve(asked, exclude, limit):
            entity = int(self.index.name_entity[name])
            if entity not in found:
                found.append(entity)
        return found

    def _retrieve(
        self, asked: list[Named], exclude: Collection[int], limit: int | None = None
    ) -> list[int]:
        """The names sharing the most (and rarest) keys with the query, best first."""
        limit = limit or self.candidates
        index = self.index
        chunks = []
        weights = []
        lengths = []
        for a in asked:
            # A word's name groups share one key's weight: "Mohammed" belongs to a score of
            # groups and would otherwise outweigh the rare surname next to it.
            keys: dict[str, float] = {}
            for word in a.words:
                share = 1.0 / max(len(word.groups), 1)
                for key in word_keys(word):
                    keys[key] = max(keys.get(key, 0.0), share if key[0] == "g" else 1.0)
            for _, _, word in a.compounds:
                if len(word.skeleton) >= COMPOUND_MIN_SKELETON:
                    keys[f"s{word.skeleton}"] = 1.0
            for key, share in keys.items():
                k = index.keys.get(key)
                if k is None:
                    continue
                postings = index.key_postings(k)
                if 0 < len(postings) <= self._max_postings:
                    chunks.append(postings)
                    weights.append(index.key_weight[k] * share)
                    lengths.append(len(postings))
        if not chunks:
            return []
        ids = np.concatenate(chunks)
        each = np.repeat(np.array(weights, np.float64), lengths)
        hits: npt.NDArray[np.integer[Any]]
        if len(ids) * SPARSE_SHARE < index.size:
            # Few postings: sorting them is cheaper than a score for every indexed name.
            hits, where = np.unique(ids, return_inverse=True)
            scores = np.bincount(where, each)
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
        return [int(h) for h in hits[np.argsort(-scores, kind="stable")]]

    def _match(
        self, score: float, entity: int, name: int, result: NameScore, features: dict[str, float]
    ) -> Match:
        listed = self.index.entities[entity]
        written = self.index.name_text[name]

        def explain() -> str:
            said = [f"name {written!r}: {result.explain()}", *evidence.describe(features)]
            return "; ".join(said)

        return Match(
            entity_id=listed.id,
            list_code=listed.list_code,
            source_id=listed.source_id,
            caption=listed.caption,
            schema=listed.schema,
            score=score,
            matched_name=written,
            features=features,
            explain=explain,
        )
