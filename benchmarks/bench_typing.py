"""Report typing: accuracy on held-out real ACLED events, and throughput.

The held-out part is the fixed one of ``qalxan.intake.classify.split`` (20 % by a hash of
``event_id_cnty``); the trained rows train on the rest. Accuracy and macro-F1 are over ACLED's
six event types. Baselines for comparison: a plain keyword rule, and TF-IDF word n-grams with a
linear SVM.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from benchmarks.common import Row
from qalxan.intake.classify import (
    Example,
    RuleClassifier,
    Scores,
    TrainedClassifier,
    evaluate,
    read_labelled,
    split,
    train,
)
from qalxan.intake.classify.evaluate import acled_label, score

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
ACLED = SHARED / "data" / "events" / "acled" / "acled_2022-01_04_dev.csv"

RULES_TARGET = 0.85
MODEL_ACCURACY_TARGET = 0.95
MODEL_F1_TARGET = 0.92
THROUGHPUT_TARGET = 1000.0
BATCH_MS_TARGET = 0.3

# A plain keyword rule: the first of these words found in the text decides.
KEYWORDS = (
    ("riot", "Riots"),
    ("mob", "Riots"),
    ("protest", "Protests"),
    ("demonstrat", "Protests"),
    ("airstrike", "Explosions/Remote violence"),
    ("shell", "Explosions/Remote violence"),
    ("explo", "Explosions/Remote violence"),
    ("clash", "Battles"),
    ("fight", "Battles"),
    ("arrest", "Strategic developments"),
    ("loot", "Strategic developments"),
    ("kill", "Violence against civilians"),
    ("abduct", "Violence against civilians"),
)


def _keyword(text: str) -> str:
    lowered = text.lower()
    for word, label in KEYWORDS:
        if word in lowered:
            return label
    return "Protests"


def _f1_note(scores: Scores) -> str:
    return "F1 " + ", ".join(f"{name.split('/')[0].split()[0]} {v:.2f}" for name, v in scores.f1)


def _rate(classify: Callable[[Sequence[str]], object], texts: list[str], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        classify(texts)
    return rounds * len(texts) / (time.perf_counter() - started)


def _skipped() -> list[Row]:
    return [
        Row(name, "skipped: data absent", target, None, f"no {ACLED}")
        for name, target in (
            ("typing: rules accuracy (held-out)", f">= {RULES_TARGET}"),
            ("typing: model accuracy (held-out)", f">= {MODEL_ACCURACY_TARGET}"),
            ("typing: model macro-F1 (held-out)", f">= {MODEL_F1_TARGET}"),
        )
    ]


def run() -> list[Row]:
    if not ACLED.is_file():
        return _skipped()
    kept, held = split(read_labelled(ACLED))
    texts = [e.text for e in held]
    truth = [acled_label(e.event_type) for e in held]
    conditions = f"{len(kept)} train / {len(held)} held out"
    started = time.perf_counter()
    model = train([e.text for e in kept], [e.event_type for e in kept], keys=[e.key for e in kept])
    seconds = time.perf_counter() - started
    rows = _accuracy_rows(kept, held, model, truth, conditions)
    rows[4].note += f", trained in {seconds:.1f} s"
    rows.extend(_speed_rows(model, texts))
    return rows


def _accuracy_rows(
    kept: list[Example],
    held: list[Example],
    model: TrainedClassifier,
    truth: list[str],
    conditions: str,
) -> list[Row]:
    texts = [e.text for e in held]
    keyword = score(truth, [_keyword(t) for t in texts])
    rules = evaluate(RuleClassifier(), held)
    trained = evaluate(model, held)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    svm = LinearSVC().fit(
        vectorizer.fit_transform([e.text for e in kept]), [acled_label(e.event_type) for e in kept]
    )
    baseline = score(truth, list(svm.predict(vectorizer.transform(texts))))
    return [
        Row("typing: keyword baseline accuracy", f"{keyword.accuracy:.3f}", "", None, conditions),
        Row(
            "typing: rules accuracy (held-out)",
            f"{rules.accuracy:.3f}",
            f">= {RULES_TARGET}",
            rules.accuracy >= RULES_TARGET,
            f"untrained; {conditions}",
        ),
        Row(
            "typing: rules macro-F1 (held-out)", f"{rules.macro_f1:.3f}", "", None, _f1_note(rules)
        ),
        Row(
            "typing: TF-IDF + LinearSVC baseline",
            f"{baseline.accuracy:.3f} / {baseline.macro_f1:.3f}",
            "",
            None,
            "accuracy / macro-F1, word 1-2 grams, 6 types",
        ),
        Row(
            "typing: model accuracy (held-out)",
            f"{trained.accuracy:.3f}",
            f">= {MODEL_ACCURACY_TARGET}",
            trained.accuracy >= MODEL_ACCURACY_TARGET,
            f"{model.metadata['design']} design",
        ),
        Row(
            "typing: model macro-F1 (held-out)",
            f"{trained.macro_f1:.3f}",
            f">= {MODEL_F1_TARGET}",
            trained.macro_f1 >= MODEL_F1_TARGET,
            _f1_note(trained),
        ),
    ]


def _speed_rows(model: TrainedClassifier, texts: list[str]) -> list[Row]:
    rules = RuleClassifier()
    model.classify_many(texts[:10])
    one_by_one_rules = _rate(lambda batch: [rules.classify(t) for t in batch], texts, 3)
    one_by_one_model = _rate(lambda batch: [model.classify(t) for t in batch], texts, 1)
    batch_model = _rate(model.classify_many, texts, 3)
    per_text_ms = 1000 / batch_model
    return [
        Row(
            "typing: rules classify",
            f"{one_by_one_rules:,.0f} texts/s",
            f">= {THROUGHPUT_TARGET:,.0f}/s",
            one_by_one_rules >= THROUGHPUT_TARGET,
            "one text per call, ACLED notes",
        ),
        Row(
            "typing: model classify",
            f"{one_by_one_model:,.0f} texts/s",
            f">= {THROUGHPUT_TARGET:,.0f}/s",
            one_by_one_model >= THROUGHPUT_TARGET,
            "one text per call",
        ),
        Row(
            "typing: model classify_many",
            f"{per_text_ms:.3f} ms/text",
            f"<= {BATCH_MS_TARGET} ms",
            per_text_ms <= BATCH_MS_TARGET,
            f"{batch_model:,.0f} texts/s in batches of {len(texts)}",
        ),
    ]
