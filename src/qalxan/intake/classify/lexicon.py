"""The typing lexicon: weighted cue phrases per event type, one YAML file per language.

A language file (``lexicon/<language>.yaml``) holds ``cues``, a mapping of event type code to
a mapping of phrase to weight, and ``context``, phrases that open a clause about the context of
the event rather than the event itself ("after", "in protest against", "в ответ на"). A phrase
is words separated by spaces: a word is matched by its stem in the file's language, ``word*``
by prefix, ``=word`` exactly as written, ``a|b|c`` any of these words; ``..`` between two words
lets up to ``gap`` other words (see ``scoring.yaml``) stand between them. Words are folded
first, so "Sərhəd" and "serhed" are one word.

Loaded once and validated (the files as read: :mod:`.lexicon_files`): an unknown type code, a
weight out of range, a malformed phrase or a phrase listed twice under one type fails loudly,
naming the file.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from qalxan.intake.classify.lexicon_files import LanguageFile, Scoring, load_yaml, validate
from qalxan.intake.classify.text import Terms, word_key, words
from qalxan.intake.taxonomy import taxonomy

CONTEXT = "@context"
GAP = ".."
MAX_WEIGHT = 10.0
TOKEN_CACHE = 200_000


@dataclass(frozen=True, eq=False)
class Cue:
    """One compiled phrase: its first term, then each later term with the gap allowed before
    it; ``needs`` holds the later terms (a sentence without all of them cannot match)."""

    text: str
    language: str
    event_type: str
    weight: float
    first: int
    rest: tuple[tuple[int, int], ...]
    needs: frozenset[int] = frozenset()

    @property
    def length(self) -> int:
        return 1 + len(self.rest)


@dataclass(frozen=True)
class Entry:
    """What one folded token can do: the terms it matches; the one-word cues it is; and, by
    their second term, the longer cues that start with it."""

    terms: frozenset[int]
    singles: tuple[Cue, ...]
    by_second: dict[int, tuple[Cue, ...]]
    seconds: frozenset[int]


# What most tokens can do (one entry for all of them: it is never changed).
_NO_MATCH = Entry(frozenset(), (), {}, frozenset())


@dataclass
class Lexicon:
    """Every language's cues, compiled for matching token by token."""

    cues: tuple[Cue, ...]
    scoring: Scoring
    terms: dict[str, int]
    by_first: dict[int, tuple[Cue, ...]]
    _entries: dict[str, Entry] = field(default_factory=dict)
    _terms: Terms | None = None

    def entry(self, token: str) -> Entry:
        """What the folded ``token`` can match (cached per token)."""
        found = self._entries.get(token)
        if found is None:
            if self._terms is None:
                self._terms = Terms(self.terms)
            ids = self._terms.ids(token)
            starting = [cue for term in sorted(ids) for cue in self.by_first.get(term, ())]
            by_second: dict[int, list[Cue]] = {}
            for cue in starting:
                if cue.rest:
                    by_second.setdefault(cue.rest[0][0], []).append(cue)
            found = (
                Entry(
                    ids,
                    tuple(cue for cue in starting if not cue.rest),
                    {term: tuple(cues) for term, cues in by_second.items()},
                    frozenset(by_second),
                )
                if ids
                else _NO_MATCH
            )
            if len(self._entries) >= TOKEN_CACHE:
                self._entries.clear()
            self._entries[token] = found
        return found

    def entries(self, tokens: list[str]) -> list[Entry]:
        """:meth:`entry` of each token."""
        cached = self._entries.get
        return [cached(token) or self.entry(token) for token in tokens]

    def covered(self, language: str) -> set[str]:
        """The type codes ``language`` has at least one positive cue for."""
        return {c.event_type for c in self.cues if c.language == language and c.weight > 0}


class _Compiler:
    def __init__(self, gap: int) -> None:
        self.gap = gap
        self.terms: dict[str, int] = {}
        self.cues: list[Cue] = []

    def term(self, key: str) -> int:
        return self.terms.setdefault(key, len(self.terms))

    def add(self, name: str, phrase: str, language: str, event_type: str, weight: float) -> None:
        """Compile ``phrase``; a word written ``a|b|c`` stands for any of them."""
        if not math.isfinite(weight) or weight == 0 or abs(weight) > MAX_WEIGHT:
            raise ValueError(
                f"lexicon {name}: {event_type}: {phrase!r}: the weight must be non-zero and "
                f"within ±{MAX_WEIGHT:g}"
            )
        choices = [piece.split("|") for piece in phrase.split()]
        for pieces in itertools.product(*choices):
            self._add(name, phrase, pieces, language, event_type, weight)

    def _add(
        self,
        name: str,
        phrase: str,
        pieces: tuple[str, ...],
        language: str,
        event_type: str,
        weight: float,
    ) -> None:
        parts: list[tuple[int, int]] = []
        wide = False
        for piece in pieces:
            if piece == GAP:
                if not parts or wide:
                    raise ValueError(f"lexicon {name}: {phrase!r}: misplaced {GAP!r}")
                wide = True
                continue
            marker = "=" if piece.startswith("=") else ""
            star = "*" if piece.endswith("*") else ""
            found = words(piece)
            if not found:
                raise ValueError(f"lexicon {name}: {phrase!r}: {piece!r} has no letters")
            for index, word in enumerate(found):
                written = f"{marker if index == 0 else ''}{word}"
                written += star if index == len(found) - 1 else ""
                parts.append((self.term(word_key(written, language)), self.gap if wide else 0))
                wide = False
        if not parts or wide:
            raise ValueError(f"lexicon {name}: {phrase!r}: misplaced {GAP!r} or no words")
        rest = tuple(parts[1:])
        needs = frozenset(term for term, _ in rest)
        self.cues.append(Cue(phrase, language, event_type, weight, parts[0][0], rest, needs))


def compile_lexicon(files: Iterable[tuple[str, Any]], scoring: Scoring) -> Lexicon:
    """A :class:`Lexicon` from parsed language files ``(name, data)``; fails on a bad one."""
    codes = set(taxonomy().codes)
    named = (*scoring.priors, *scoring.late_sentence_types, *scoring.framing_types)
    for code in (*named, *scoring.framed_types, scoring.fallback):
        if code not in codes:
            raise ValueError(f"lexicon scoring.yaml: unknown event type {code!r}")
    compiler = _Compiler(scoring.gap)
    for name, raw in files:
        data: LanguageFile = validate(name, LanguageFile, raw)
        for phrase in data.context:
            compiler.add(name, phrase, data.language, CONTEXT, 1.0)
        for code, phrases in data.cues.items():
            if code not in codes:
                raise ValueError(f"lexicon {name}: unknown event type {code!r}")
            for phrase, weight in phrases.items():
                compiler.add(name, phrase, data.language, code, weight)
    cues = tuple(compiler.cues)
    by_first: dict[int, list[Cue]] = {}
    for cue in cues:
        by_first.setdefault(cue.first, []).append(cue)
    return Lexicon(
        cues=cues,
        scoring=scoring,
        terms=compiler.terms,
        by_first={term: tuple(found) for term, found in by_first.items()},
    )


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The bundled lexicon (validated and compiled once per process)."""
    package = resources.files(__package__)
    text = package.joinpath("scoring.yaml").read_text("utf-8")
    scoring = validate("scoring.yaml", Scoring, load_yaml("scoring.yaml", text))
    folder = package.joinpath("lexicon")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    files = [(name, load_yaml(name, folder.joinpath(name).read_text("utf-8"))) for name in names]
    return compile_lexicon(files, scoring)
