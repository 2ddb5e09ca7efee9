"""Screening one query: candidates from the index by shared match keys, then every candidate
name compared word by word, then the entity's other facts weighed. Every match says why.
"""

from __future__ import annotations

from collections.abc import Collection
from operator import itemgetter

import numpy as np

from qalxan.screening import acronyms, evidence, text
from qalxan.screening.index import Index, word_keys
from qalxan.screening.pairing import Pairs
from qalxan.screening.query import Match, Query
from qalxan.screening.retrieval import Retriever
from qalxan.screening.scoring import (
    ROLE_WEIGHT,
    Named,
    NameScore,
    as_listed,
    compare,
)
from qalxan.screening.vocabulary import NAME, ORG_WORD, Word, compounds

# Names compared in full per query: the retrieval score orders them well enough that the
# right one is nearly always among the first few dozen.
CANDIDATES = 40
WEAK_NAME = 0.95
KEPT_COMPOUNDS = 100_000

# How the best name of an entity compares: query name, score (the pairs of words behind it
# are worked out again when a match is explained).
Compared = tuple[Named, float]
# A found entity: its score, index position, best name id, how that name compares, its name
# score (weighed when the name is weak), and what its other facts add.
Scored = tuple[float, int, int, Compared, float, dict[str, float]]


# Schemas whose names may hold a person's initials (a legal entity may be a person).
INITIALLED = frozenset({"Person", "LegalEntity"})


class Matcher:
    def __init__(self, index: Index, candidates: int = CANDIDATES) -> None:
        self.index = index
        self.candidates = candidates
        self._retriever = Retriever(index)
        self._pairs = Pairs(index)
        # Whether a listed schema may be a queried one, by queried schema.
        self._compatible: dict[str, dict[str, bool]] = {}
        self._compounds: dict[tuple[str, ...], list[tuple[int, int, Word]]] = {}

    def match(
        self,
        query: Query,
        top: int = 10,
        exclude: Collection[int] = (),
        lists: Collection[str] | None = None,
    ) -> list[Match]:
        """The ``top`` best matches, best first (``exclude``: name ids to leave out;
        ``lists``: the lists to match on, every list when None)."""
        return [self._match(*found) for found in self._scored(query, exclude, lists, 0.0)[:top]]

    def ranked(
        self,
        query: Query,
        top: int = 10,
        lists: Collection[str] | None = None,
        floor: float = 0.0,
    ) -> list[tuple[int, float]]:
        """The listed parties (their positions in :attr:`index`) and scores of :meth:`match`
        at or above ``floor``, without the rest of a match: what a bulk check's worker sends
        back."""
        return [(found[1], found[0]) for found in self._scored(query, (), lists, floor)[:top]]

    def _scored(
        self,
        query: Query,
        exclude: Collection[int],
        lists: Collection[str] | None,
        floor: float,
    ) -> list[Scored]:
        """Every entity found at or above ``floor``, best first."""
        asked = [self._named(name, query.schema) for name in query.names]
        asked = [a for a in asked if a.words]
        names, entities, weights = self._comparable(
            query.schema, lists, self._retriever.retrieve(asked, exclude, self.candidates)
        )
        paired = [self._pairs.scores(a, names) for a in asked]
        # Each entity's best name: its score, its id, and how it compares.
        best: dict[int, tuple[float, int, Compared]] = {}
        for number, (entity, weight) in enumerate(zip(entities, weights, strict=True)):
            for a, scores in zip(asked, paired, strict=True):
                raw = scores[number]
                score = raw * weight
                held = best.get(entity)
                if held is None or score > held[0]:
                    best[entity] = (score, names[number], (a, raw))
        listed = self.index.entities
        stated = evidence.stated(query)
        scored: list[Scored] = []
        for entity, (score, name, result) in best.items():
            facts = evidence.weigh(query, listed[entity].facts) if stated else {}
            total = max(0.0, min(1.0, score + sum(facts.values()) if facts else score))
            if total >= floor:
                scored.append((total, entity, name, result, score, facts))
        scored.sort(key=itemgetter(0), reverse=True)
        return scored

    def _comparable(
        self, schema: str, lists: Collection[str] | None, names: list[int]
    ) -> tuple[list[int], list[int], list[float]]:
        """The names a party of ``schema`` on ``lists`` (every list when None) may be: name
        ids, their entities, and the weight of each name."""
        if not names:
            return [], [], []
        index = self.index
        at = np.array(names, np.int64)
        entities = index.name_entity[at].tolist()
        weak = index.name_weak[at].tolist()
        listed = index.entities
        known = self._compatible.setdefault(schema, {})
        kept = []
        for number, entity in enumerate(entities):
            party = listed[entity]
            if lists is not None and party.list_code not in lists:
                continue
            fits = known.get(party.schema)
            if fits is None:
                fits = known[party.schema] = evidence.compatible(schema, party.schema)
            if fits:
                kept.append(number)
        return (
            [names[n] for n in kept],
            [entities[n] for n in kept],
            [WEAK_NAME if weak[n] else 1.0 for n in kept],
        )

    def compare_names(self, first: str, second: str, schema: str = "Person") -> NameScore:
        """How alike two names are, words weighed by their rarity on the indexed lists."""
        other, table = as_listed(self._named(second, schema))
        return compare(self._named(first, schema), other, table)

    def _named(self, name: str, schema: str) -> Named:
        person = schema == "Person"
        vocabulary = self.index.vocabulary
        # A word written twice ("Sergey Sergey Shoigu") is one word of the name.
        tokens = list(dict.fromkeys([t.lower() for t in text.tokens(name, person)]))
        words = [vocabulary.lookup(token) for token in tokens]
        weights = self._weights(words, person)
        # The same runs of words recur from query to query: their compounds are kept.
        joined = self._compounds.get(tuple(tokens))
        if joined is None:
            joined = compounds(words)
            if len(self._compounds) >= KEPT_COMPOUNDS:
                self._compounds.clear()
            self._compounds[tuple(tokens)] = joined
        named = [w for w in words if w.role == NAME or (person and w.role == ORG_WORD)]
        return Named(
            words,
            weights,
            list(joined),
            sum(weights),
            acronyms.of_party(words, schema),
            lone=len(named) == 1 and named[0].latin,
            initials=schema in INITIALLED,
        )

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
        asked = [a for a in [self._named(name, query.schema) for name in query.names] if a.words]
        found: list[int] = []
        for name in self._retriever.retrieve(asked, exclude, limit):
            entity = int(self.index.name_entity[name])
            if entity not in found:
                found.append(entity)
        return found

    def _match(
        self,
        score: float,
        entity: int,
        name: int,
        result: Compared,
        name_score: float,
        facts: dict[str, float],
    ) -> Match:
        listed = self.index.entities[entity]
        features = {"name": round(name_score, 4), **facts}
        written = self.index.name_text[name]
        table = self.index.vocabulary.words

        def explain() -> str:
            asked, raw = result
            spans = self._pairs.spans(asked, name)
            listed = self._pairs.listed(name)
            pairs = NameScore(raw, asked, listed, table, spans).explain()
            said = [f"name {written!r}: {pairs}", *evidence.describe(features)]
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
