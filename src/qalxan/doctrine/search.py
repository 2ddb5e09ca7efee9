"""Ranked search over one doctrine version, in English and Azerbaijani.

An in-memory inverted index of folded, stemmed terms with per-field weights (names and codes
count most, list entries least) scored BM25-style. A query word matches an index term exactly
(after folding and stemming, so "Sərhəd", "Serhed" and "sərhədlərinin" meet), as a prefix
(search as you type), or fuzzily (spelling variants), in that order of weight. Every hit says
which query word matched which term, how, and in which fields.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from qalxan.doctrine.model import Item, LocalText
from qalxan.doctrine.registry import Doctrine, resolve_kind
from qalxan.lang.fold import tokens
from qalxan.lang.stem import variants

FIELD_WEIGHTS = {"code": 6.0, "name": 4.0, "alias": 3.0, "summary": 1.5, "list": 0.6}
PREFIX_WEIGHT = 0.5
FUZZY_WEIGHT = 0.6
FUZZY_CUTOFF = 80.0
MIN_PREFIX = 3
MIN_FUZZY = 4
MAX_EXPANSIONS = 40
K1, B = 1.2, 0.3


@dataclass(frozen=True)
class Match:
    """How one query word matched: the index term, the kind of match, the fields it is in."""

    query: str
    term: str
    how: str  # exact | prefix | fuzzy
    fields: tuple[str, ...]


@dataclass
class Hit:
    item: Item
    score: float
    matches: list[Match] = field(default_factory=list)


class SearchIndex:
    """The search index of one doctrine version. Build once; query from any thread."""

    def __init__(self, doctrine: Doctrine) -> None:
        self._items: list[Item] = list(doctrine.items.values())
        # term -> doc index -> field -> weighted count
        self._postings: dict[str, dict[int, dict[str, float]]] = defaultdict(dict)
        self._lengths: list[float] = []
        for index, item in enumerate(self._items):
            self._lengths.append(self._add(index, item))
        self._avg = sum(self._lengths) / max(len(self._lengths), 1)
        self._vocabulary = sorted(self._postings)
        self._idf = {
            term: math.log(1 + (len(self._items) - len(docs) + 0.5) / (len(docs) + 0.5))
            for term, docs in self._postings.items()
        }

    def _fields(self, item: Item) -> list[tuple[str, str, str]]:
        """(field, language, text) for every searchable text of the item."""
        out: list[tuple[str, str, str]] = []
        if item.code:
            out.append(("code", "code", item.code))
        for name, texts in (
            ("name", [item.name]),
            ("alias", item.aliases),
            ("summary", [item.summary] if item.summary else []),
        ):
            for text in texts:
                out.extend((name, lang, value) for lang, value in _langs(text))
        for entries in item.lists.values():
            for text in entries:
                out.extend(("list", lang, value) for lang, value in _langs(text))
        return out

    def _add(self, index: int, item: Item) -> float:
        length = 0.0
        for name, lang, text in self._fields(item):
            weight = FIELD_WEIGHTS[name]
            for token in tokens(text) if lang != "code" else [text]:
                length += weight
                for key in variants(token, lang):
                    per_field = self._postings[key].setdefault(index, {})
                    per_field[name] = per_field.get(name, 0.0) + weight
        return length

    def _expand(self, word: str) -> list[tuple[str, str, float]]:
        """Index terms a folded query word may stand for: (term, how, weight)."""
        exact = (variants(word, "en") | variants(word, "az")) & self._postings.keys()
        found = [(term, "exact", 1.0) for term in exact]
        if len(word) >= MIN_PREFIX:
            start = bisect_left(self._vocabulary, word)
            for term in self._vocabulary[start : start + MAX_EXPANSIONS]:
                if not term.startswith(word):
                    break
                if term not in exact:
                    found.append((term, "prefix", PREFIX_WEIGHT))
        if not found and len(word) >= MIN_FUZZY and word.isalpha():
            for term, similarity, _ in process.extract(
                word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
            ):
                found.append((term, "fuzzy", FUZZY_WEIGHT * similarity / 100.0))
        return found

    def search(self, query: str, kind: str | None = None, limit: int = 20) -> list[Hit]:
        """Items matching ``query``, best first; ``kind`` restricts to one kind."""
        words = list(dict.fromkeys(tokens(query)))
        if not words:
            return []
        wanted = resolve_kind(kind) if kind else None
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, list[Match]] = defaultdict(list)
        for word in words:
            best: dict[int, tuple[float, Match]] = {}
            for term, how, weight in self._expand(word):
                idf = self._idf[term]
                for doc, per_field in self._postings[term].items():
                    tf = sum(per_field.values())
                    norm = K1 * (1 - B + B * self._lengths[doc] / self._avg)
                    score = weight * idf * tf * (K1 + 1) / (tf + norm)
                    if doc not in best or score > best[doc][0]:
                        best[doc] = (score, Match(word, term, how, tuple(sorted(per_field))))
            for doc, (score, match) in best.items():
                scores[doc] += score
                matched[doc].append(match)
        hits = []
        for doc, score in scores.items():
            item = self._items[doc]
            if wanted and item.kind != wanted:
                continue
            coverage = len(matched[doc]) / len(words)
            hits.append(Hit(item, round(score * coverage**2, 4), matched[doc]))
        hits.sort(key=lambda hit: (-hit.score, hit.item.id))
        return hits[:limit]


def _langs(text: LocalText) -> list[tuple[str, str]]:
    return [(lang, value) for lang in ("en", "az", "ru") if (value := getattr(text, lang))]
