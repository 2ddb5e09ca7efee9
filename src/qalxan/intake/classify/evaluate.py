"""The evaluation protocol: a fixed held-out part, and accuracy and macro-F1 over ACLED's six
event types.

An example belongs to the held-out part when the first 8 bytes of the SHA-256 of
``"holdout:" + key`` (its ``event_id_cnty`` for ACLED), read as a number, are below
``HOLDOUT_PERCENT`` modulo 100: the split is deterministic, needs no seed and keeps an event on
its side when the file grows. Training cuts its validation parts the same way with the salt
``"validation:"``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from qalxan.intake.classify.labelled import Example
from qalxan.intake.classify.result import Classifier, Typing
from qalxan.intake.taxonomy import taxonomy

HOLDOUT_PERCENT = 20
NONE = "(none)"


def bucket(key: str, salt: str) -> int:
    """A stable number in [0, 100) for ``key``."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def split(
    examples: Sequence[Example], salt: str = "holdout", percent: int = HOLDOUT_PERCENT
) -> tuple[list[Example], list[Example]]:
    """``(kept, held_out)``: about ``percent`` % of the examples held out, by key."""
    kept: list[Example] = []
    held: list[Example] = []
    for example in examples:
        (held if bucket(example.key, salt) < percent else kept).append(example)
    return kept, held


@dataclass(frozen=True)
class Scores:
    """Accuracy and F1 over the ACLED event types of the predictions."""

    samples: int
    accuracy: float
    macro_f1: float
    f1: tuple[tuple[str, float], ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "samples": self.samples,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "f1": {name: round(value, 4) for name, value in self.f1},
        }


def acled_label(code: str) -> str:
    """The ACLED event type of a taxonomy code (``NONE`` for the platform's own types)."""
    return taxonomy().by_code[code].acled_event_type or NONE


def score(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Accuracy and per-class F1 over labels; macro-F1 averages the classes in ``truth``."""
    if not truth:
        return Scores(0, 0.0, 0.0, ())
    correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
    f1: list[tuple[str, float]] = []
    for label in sorted(set(truth)):
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        f1.append((label, 2 * tp / (2 * tp + fp + fn) if tp else 0.0))
    return Scores(len(truth), correct / len(truth), sum(v for _, v in f1) / len(f1), tuple(f1))


def score_typings(truth: Sequence[str], typings: Sequence[Typing]) -> Scores:
    """:func:`score` of typings against true type codes, over ACLED event types.

    When every true type has an ACLED event type (an ACLED export), a typing is compared by its
    ``acled_event_type``, as ACLED would code it. Otherwise the platform's own types without
    one count as groups of their own, so that a flood typed as a flood is right.
    """
    by_code = taxonomy().by_code
    acled_only = all(by_code[code].acled_event_type for code in truth)

    def group(code: str) -> str:
        return by_code[code].acled_event_type or code

    return score(
        [group(code) for code in truth],
        [(t.acled_event_type or NONE) if acled_only else group(t.event_type) for t in typings],
    )


def evaluate(classifier: Classifier, examples: Sequence[Example]) -> Scores:
    """``classifier`` on ``examples``, compared at the level of ACLED's event types."""
    typings = classifier.classify_many([e.text for e in examples])
    return score_typings([e.event_type for e in examples], typings)
