"""Qalxan's matcher and nomenklatura's logic-v2 (yente's default) side by side, on the same
queries and the same candidates, in the same run.

Candidates: the 50 names Qalxan's retrieval ranks first for each query (their entities), which
logic-v2 rescores as yente rescores what its search index returns. Both systems are compared
at the same false-alert rate: Qalxan's at its default threshold on a sample of the negatives,
and logic-v2 at the threshold that gives it the same rate on the same sample.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from followthemoney import EntityProxy, model

from benchmarks.common import Row
from qalxan.screening.facts import STRONG_NAME_PROPERTIES, WEAK_NAME_PROPERTIES
from qalxan.screening.matcher import Matcher
from qalxan.screening.model import ListEntry
from qalxan.screening.query import Query

CANDIDATES = 50
ALIASES = 1500
NEGATIVES = 3000
SEED = 20261122
# logic-v2's threshold in yente.
LOGIC_V2_THRESHOLD = 0.7
Best = tuple[float, int]


@dataclass
class _Scores:
    """Top-1 scores: of the right entity (None when another came first) on the aliases; of the
    first entity on the negatives; seconds spent."""

    aliases: list[float | None]
    negatives: list[float]
    seconds: float = 0.0
    # The first entity's score on real companies, on no list.
    companies: list[float] = field(default_factory=list)

    def alerting(self, threshold: float) -> float:
        """The share of the companies alerted at ``threshold``."""
        return sum(1 for s in self.companies if s >= threshold) / max(len(self.companies), 1)

    def at_rate(self, rate: float) -> tuple[float, float]:
        """The threshold giving at most ``rate`` false alerts, and the share of aliases
        alerted (right entity first, at or above it) there."""
        ordered = sorted(self.negatives, reverse=True)
        allowed = int(rate * len(ordered))
        threshold = ordered[allowed] + 1e-9 if allowed < len(ordered) else 0.0
        hits = sum(1 for s in self.aliases if s is not None and s >= threshold)
        return threshold, hits / max(len(self.aliases), 1)


def compare(
    matcher: Matcher,
    entries: list[ListEntry],
    aliases: list[tuple[int, int]],
    negatives: Iterator[Query],
    right: Callable[[str, int], bool],
    threshold: float,
    companies: list[Query],
) -> list[Row]:
    """Rows comparing both systems (``aliases``: (entity, name) pairs held out one at a time;
    ``right``: whether an entity id is the right answer for an entity position)."""
    try:
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig
    except ImportError:
        note = "nomenklatura absent: pip install -e '.[bench]'"
        return [Row("screening side by side with logic-v2", "skipped", "", None, note)]
    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = ScoringConfig.defaults()
    rng = random.Random(SEED)
    sample = rng.sample(aliases, min(ALIASES, len(aliases)))
    people = [q for _, q in zip(range(NEGATIVES), negatives, strict=False)]
    index = matcher.index

    def reference(query: Query, candidates: list[int], held: tuple[int, str] | None) -> Best:
        """logic-v2's best candidate (``held``: an entity position and the name it lacks)."""
        proxy = _proxy(query)
        best = (-1.0, -1)
        for position in candidates:
            listed = entries[position].entity
            if held is not None and position == held[0]:
                listed = _without(listed, held[1])
            best = max(best, (algorithm.compare(proxy, listed, config).score, position))
        return best

    ours = _Scores([], [])
    theirs = _Scores([], [])
    for entity, name in sample:
        listed = index.entities[entity]
        query = Query("q", (index.name_text[name],), schema=listed.schema)
        started = time.perf_counter()
        results = matcher.match(query, top=1, exclude={name})
        ours.seconds += time.perf_counter() - started
        first = results[0] if results else None
        ours.aliases.append(first.score if first and right(first.entity_id, entity) else None)
        candidates = matcher.candidates_of(query, CANDIDATES, exclude={name})
        started = time.perf_counter()
        score, position = reference(query, candidates, (entity, index.name_text[name]))
        theirs.seconds += time.perf_counter() - started
        good = position >= 0 and right(index.entities[position].id, entity)
        theirs.aliases.append(score if good else None)
    for query in people:
        started = time.perf_counter()
        results = matcher.match(query, top=1)
        ours.seconds += time.perf_counter() - started
        ours.negatives.append(results[0].score if results else 0.0)
        candidates = matcher.candidates_of(query, CANDIDATES)
        started = time.perf_counter()
        score, _ = reference(query, candidates, None)
        theirs.seconds += time.perf_counter() - started
        theirs.negatives.append(max(score, 0.0))
    for query in companies:
        results = matcher.match(query, top=1)
        ours.companies.append(results[0].score if results else 0.0)
        score, _ = reference(query, matcher.candidates_of(query, CANDIDATES), None)
        theirs.companies.append(max(score, 0.0))
    rate = sum(1 for s in ours.negatives if s >= threshold) / max(len(ours.negatives), 1)
    rows = []
    count = len(sample) + len(people)
    for system, scores in (("Qalxan", ours), ("logic-v2", theirs)):
        at, recall = scores.at_rate(rate)
        rows.append(
            Row(
                f"screening side by side: {system}",
                f"alerted {recall:.3f} at {rate * 1000:.1f} false alerts per 1,000",
                "(reported)",
                None,
                f"threshold {at:.3f}; {len(sample)} held-out aliases, {len(people)} negatives; "
                f"{scores.seconds / count * 1000:.2f} ms/query"
                + (f" rescoring {CANDIDATES} candidate names" if system == "logic-v2" else "")
                + (
                    f"; there {scores.alerting(at) * 1000:.1f} per 1,000 of "
                    f"{len(companies)} real companies alert"
                    if companies
                    else ""
                ),
            )
        )
    if companies:
        rows.append(
            Row(
                "screening false alerts, stock-index companies, logic-v2",
                f"{theirs.alerting(LOGIC_V2_THRESHOLD) * 1000:.1f} per 1,000",
                "(reported)",
                None,
                f"logic-v2 at its own threshold {LOGIC_V2_THRESHOLD}, rescoring the {CANDIDATES} "
                "candidates Qalxan's retrieval gives each of the same names",
            )
        )
    return rows


# logic-v2 caches what it reads of an entity by the entity's id: every query and every
# entity lacking a held-out name needs an id of its own.
_ids = itertools.count()


def _proxy(query: Query) -> EntityProxy:
    proxy = model.make_entity(query.schema)
    proxy.id = f"query-{next(_ids)}"
    proxy.add("name", list(query.names))
    if proxy.schema.get("birthDate"):
        proxy.add("birthDate", list(query.birth_dates))
        proxy.add("nationality", list(query.nationalities))
        proxy.add("gender", query.gender)
    return proxy


def _without(entity: EntityProxy, name: str) -> EntityProxy:
    """The entity without the held-out name."""
    copy = entity.clone()
    copy.id = f"{entity.id}-held-out-{next(_ids)}"
    for prop in STRONG_NAME_PROPERTIES + WEAK_NAME_PROPERTIES:
        if copy.schema.get(prop):
            for value in copy.get(prop):
                if " ".join(value.casefold().split()) == " ".join(name.casefold().split()):
                    copy.remove(prop, value)
    return copy
