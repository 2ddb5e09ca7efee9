"""What a classifier answers: :class:`Typing`, and the :class:`Classifier` protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from qalxan.intake.taxonomy import taxonomy


@dataclass(frozen=True)
class Typing:
    """The type of one report, and why.

    ``scores`` holds every type with a score above zero, best first; the scores sum to 1 (the
    model's probabilities, or each type's share of the matched cue weight for the rules).
    ``acled_event_type`` is the ACLED event type of ``event_type``; when that type has none
    (an earthquake, a cyber incident), the ACLED event type whose types together score highest,
    or ``None`` when no type with an ACLED event type scored. ``method`` is ``"rules"`` or
    ``"model"``. ``evidence`` lists what decided it: the matched cues with their weights, or
    the model's most contributing terms.
    """

    event_type: str
    scores: tuple[tuple[str, float], ...]
    acled_event_type: str | None
    method: str
    explanation: str
    evidence: tuple[str, ...]

    @property
    def score(self) -> float:
        """The score of ``event_type``."""
        return self.scores[0][1] if self.scores else 0.0

    @property
    def margin(self) -> float:
        """How far ``event_type`` is ahead of the runner-up."""
        if not self.scores:
            return 0.0
        second = self.scores[1][1] if len(self.scores) > 1 else 0.0
        return self.scores[0][1] - second


class Classifier(Protocol):
    """Anything that types reports: the rules, or a trained model."""

    def classify(self, text: str) -> Typing: ...

    def classify_many(self, texts: Sequence[str]) -> list[Typing]: ...


def acled_event_type_of(event_type: str, scores: Mapping[str, float]) -> str | None:
    """The ACLED event type of ``event_type``, or the one with the highest summed score."""
    types = taxonomy().by_code
    own = types[event_type].acled_event_type
    if own is not None:
        return own
    sums: dict[str, float] = {}
    for code, score in scores.items():
        acled = types[code].acled_event_type
        if acled is not None and score > 0:
            sums[acled] = sums.get(acled, 0.0) + score
    return max(sums, key=sums.__getitem__) if sums else None


def typing_from(
    scores: Mapping[str, float], method: str, *, label: str, evidence: tuple[str, ...]
) -> Typing:
    """A :class:`Typing` from scores over type codes (any scale, at least one above zero).

    ``label`` says what the scores are ("cue weight", "probability") in the explanation.
    """
    positive = {code: value for code, value in scores.items() if value > 0}
    total = sum(positive.values())
    ranked = tuple(
        sorted(
            ((code, round(value / total, 6)) for code, value in positive.items()),
            key=lambda item: (-item[1], item[0]),
        )
    )
    event_type, best = ranked[0]
    margin = best - (ranked[1][1] if len(ranked) > 1 else 0.0)
    runner_up = f", ahead of {ranked[1][0]} ({ranked[1][1]:.2f})" if len(ranked) > 1 else ""
    explanation = (
        f"{method}: {event_type} ({best:.2f} of the {label}{runner_up}; margin {margin:.2f})"
    )
    if evidence:
        explanation += f"; because of {', '.join(evidence[:6])}"
    return Typing(
        event_type=event_type,
        scores=ranked,
        acled_event_type=acled_event_type_of(event_type, dict(ranked)),
        method=method,
        explanation=explanation,
        evidence=evidence,
    )
