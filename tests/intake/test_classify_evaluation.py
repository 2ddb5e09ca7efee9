"""The accuracy targets, on the held-out part of 5,739 real ACLED events (docs/typing.md).

The held-out part is fixed (``qalxan.intake.classify.split``: 20 % by a hash of
``event_id_cnty``); the rules were developed and the model's design chosen on the rest only.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qalxan.intake.classify import Example, RuleClassifier, evaluate, read_labelled, split, train

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
ACLED = SHARED / "data" / "events" / "acled" / "acled_2022-01_04_dev.csv"


@pytest.fixture(scope="module")
def parts() -> tuple[list[Example], list[Example]]:
    if not ACLED.is_file():
        pytest.skip(f"the ACLED evaluation sample is not at {ACLED} (set QALXAN_SHARED_DIR)")
    return split(read_labelled(ACLED))


def test_the_split_is_fixed(parts: tuple[list[Example], list[Example]]) -> None:
    kept, held = parts
    assert (len(kept), len(held)) == (4611, 1128)


def test_the_rules_type_acled_events_out_of_the_box(
    parts: tuple[list[Example], list[Example]],
) -> None:
    scores = evaluate(RuleClassifier(), parts[1])
    assert scores.accuracy >= 0.85, scores


def test_a_model_trained_on_the_rest_reaches_the_targets(
    parts: tuple[list[Example], list[Example]],
) -> None:
    kept, held = parts
    model = train([e.text for e in kept], [e.event_type for e in kept], keys=[e.key for e in kept])
    scores = evaluate(model, held)
    assert scores.accuracy >= 0.95, scores
    assert scores.macro_f1 >= 0.92, scores
