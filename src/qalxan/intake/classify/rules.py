"""Typing by the lexicon alone: no training data needed.

Each sentence is matched against every cue phrase (``scoring.yaml`` holds the numbers):

- a cue inside a longer matched phrase counts only through the longer one ("clashed with
  police" for a riot, not "clashed" for a battle);
- a cue adds its weight times the weight of its sentence (the first sentence of a report states
  the event; later ones add detail), times ``context_weight`` when it follows a context phrase
  ("... protested against the killing of ...") or when its type is one a protest names as its
  cause and its sentence reports a protest;
- each cue counts once, where it counts most; a type's cues add up with diminishing returns
  (``decay``), negative weights subtract; the prior of each type that scored breaks ties.

The scores are normalised to sum to 1. A text without any cue gets the fallback type.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from qalxan.intake.classify.lexicon import CONTEXT, Cue, Lexicon, lexicon
from qalxan.intake.classify.result import Typing, typing_from
from qalxan.intake.classify.text import sentence_tokens, sentence_words

Match = tuple[Cue, int, int, tuple[int, ...]]


@dataclass(frozen=True)
class Hit:
    """A cue matched in a text: the words it matched, and what it added to its type's score."""

    cue: Cue
    sentence: int
    contribution: float
    words: str

    def describe(self) -> str:
        return f"{self.words!r} -> {self.cue.event_type} ({self.contribution:+.2f})"


def _matches(lex: Lexicon, tokens: list[str]) -> list[Match]:
    """Every cue matched in one sentence: ``(cue, first token, last token, its tokens)``."""
    entries = lex.entries(tokens)
    terms = [entry.terms for entry in entries]
    present = frozenset().union(*terms)
    found: list[Match] = []
    size = len(entries)
    for start, entry in enumerate(entries):
        if entry.singles:
            found.extend((cue, start, start, (start,)) for cue in entry.singles)
        if not entry.seconds:
            continue
        for second in entry.seconds & present:
            for cue in entry.by_second[second]:
                if not cue.needs <= present:
                    continue
                positions = [start]
                end = start
                for next_term, gap in cue.rest:
                    if gap == 0:
                        if end + 1 < size and next_term in terms[end + 1]:
                            end += 1
                            positions.append(end)
                            continue
                        break
                    for position in range(end + 1, min(end + gap + 2, size)):
                        if next_term in terms[position]:
                            end = position
                            positions.append(end)
                            break
                    else:
                        break
                else:
                    found.append((cue, start, end, tuple(positions)))
    return found


def _outermost(found: list[Match]) -> list[Match]:
    """``found`` without the matches that lie inside a longer one, nor a second match of one
    type on the same words ("body of" and "bodies of" both match "body of")."""
    if len(found) < 2:
        return found
    kept = []
    for index, match in enumerate(found):
        cue, start, end, _ = match
        covered = False
        for other_index, (other, o_start, o_end, _) in enumerate(found):
            if other_index == index or not (o_start <= start and end <= o_end):
                continue
            if other.length > cue.length or (
                other.length == cue.length
                and other.event_type == cue.event_type
                and (other.weight, -other_index) > (cue.weight, -index)
            ):
                covered = True
                break
        if not covered:
            kept.append(match)
    return kept


def _shown(words: list[str], positions: tuple[int, ...]) -> str:
    """The words a cue matched, with "…" where it let other words stand between."""
    shown = [words[positions[0]]]
    for before, position in itertools.pairwise(positions):
        shown.append(f"… {words[position]}" if position > before + 1 else words[position])
    return " ".join(shown)


def _totals(contributions: list[tuple[str, float]], decay: float) -> dict[str, float]:
    """Each type's score: its cues' contributions, the strongest first, each next one counting
    ``decay`` times as much as the one before (a verbose report does not outweigh a clear cue);
    negative contributions are subtracted in full. Types at or below zero are left out."""
    by_type: dict[str, list[float]] = {}
    for code, value in contributions:
        by_type.setdefault(code, []).append(value)
    totals: dict[str, float] = {}
    for code, values in by_type.items():
        positive = sorted((v for v in values if v > 0), reverse=True)
        total = sum(v * decay**rank for rank, v in enumerate(positive))
        total += sum(v for v in values if v < 0)
        if total > 0:
            totals[code] = total
    return totals


class RuleClassifier:
    """Types reports by the bundled lexicon (see :mod:`qalxan.intake.classify.lexicon`)."""

    method = "rules"

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lexicon = lex or lexicon()

    def hits(self, text: str) -> list[Hit]:
        """The cues matched in ``text``, each once (where it counts most), in reading order,
        with the words they matched as written."""
        folded, written = sentence_tokens(text)
        return sorted(
            (
                Hit(cue, sentence, value, _shown(written[sentence], positions))
                for cue, (value, sentence, positions) in self.weighted_cues(folded).items()
            ),
            key=lambda hit: hit.sentence,
        )

    def weighted_cues(
        self, sentences: list[list[str]]
    ) -> dict[Cue, tuple[float, int, tuple[int, ...]]]:
        """Each cue matched in a text given as the folded words of each sentence: its
        contribution where it counts most, that sentence, and the words it matched there."""
        scoring = self.lexicon.scoring
        best: dict[Cue, tuple[float, int, tuple[int, ...]]] = {}
        for index, tokens in enumerate(sentences):
            found = _matches(self.lexicon, tokens)
            if not found:
                continue
            context_from = min((s for c, s, _, _ in found if c.event_type == CONTEXT), default=None)
            cues = _outermost([match for match in found if match[0].event_type != CONTEXT])
            framed = any(
                c.event_type in scoring.framing_types and c.weight > 0 for c, _, _, _ in cues
            )
            for cue, start, _, positions in cues:
                factor = scoring.sentence_weight(cue.event_type, index)
                if (context_from is not None and start > context_from) or (
                    framed and cue.event_type in scoring.framed_types
                ):
                    factor *= scoring.context_weight
                value = cue.weight * factor
                held = best.get(cue)
                if held is None or abs(value) > abs(held[0]):
                    best[cue] = (value, index, positions)
        return best

    def cue_scores(self, text: str) -> dict[str, float]:
        """Each type's cue score in ``text`` (before priors; only types scoring above zero)."""
        return self.cue_scores_in(sentence_words(text))

    def cue_scores_in(self, sentences: list[list[str]]) -> dict[str, float]:
        """:meth:`cue_scores` of a text given as the folded words of each sentence."""
        return self.scores_of(self.weighted_cues(sentences))

    def scores_of(
        self, weighted: dict[Cue, tuple[float, int, tuple[int, ...]]]
    ) -> dict[str, float]:
        """:meth:`cue_scores` from :meth:`weighted_cues`."""
        return _totals(
            [(cue.event_type, value) for cue, (value, _, _) in weighted.items()],
            self.lexicon.scoring.decay,
        )

    def classify(self, text: str) -> Typing:
        hits = self.hits(text)
        scoring = self.lexicon.scoring
        scores = _totals([(h.cue.event_type, h.contribution) for h in hits], scoring.decay)
        if not scores:
            return typing_from(
                {scoring.fallback: 1.0},
                self.method,
                label="weight (no cue matched: the fallback type)",
                evidence=(),
            )
        for code in scores:
            scores[code] += scoring.priors.get(code, 0.0)
        top = max(scores, key=scores.__getitem__)
        evidence = sorted(
            (hit for hit in hits if hit.cue.event_type == top or hit.contribution < 0),
            key=lambda hit: -abs(hit.contribution),
        )
        others = sorted(
            (hit for hit in hits if hit.cue.event_type != top and hit.contribution > 0),
            key=lambda hit: -hit.contribution,
        )
        return typing_from(
            scores,
            self.method,
            label="cue weight",
            evidence=tuple(hit.describe() for hit in [*evidence, *others]),
        )

    def classify_many(self, texts: Sequence[str]) -> list[Typing]:
        return [self.classify(text) for text in texts]
