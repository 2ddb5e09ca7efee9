"""Training a typing model on labelled reports.

Two designs are compared: ``fine``, one linear SVM over type codes, and ``hierarchical``, that
SVM plus an NB-SVM over ACLED event types (:mod:`qalxan.intake.classify.nbsvm`) that picks the
group. They are compared by cross-validation: the examples are cut into ``FOLDS`` validation
parts by hashing each one's key (see :mod:`qalxan.intake.classify.evaluate`), each design is
fitted on the rest of each part and scored on the part, at the level of ACLED's event types. The
better design (macro-F1 plus accuracy over all parts) is kept, its softmax temperature fitted on
the parts, and it is fitted again on every example; the out-of-part scores are the validation
figures stored with the model. With fewer than ``MIN_VALIDATION`` examples, ``hierarchical`` is
used without validation figures.
"""

from __future__ import annotations

import hashlib
import platform
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn
from sklearn.svm import LinearSVC

from qalxan.errors import InvalidInput
from qalxan.intake.classify.evaluate import Scores, acled_label, bucket, score_typings
from qalxan.intake.classify.features import GROUPS, Analysed, Features, Parts
from qalxan.intake.classify.model import FORMAT, TrainedClassifier
from qalxan.intake.classify.nbsvm import fit_nbsvm
from qalxan.intake.classify.result import Typing
from qalxan.intake.taxonomy import taxonomy

FOLDS = 3
MIN_VALIDATION = 100
C = 0.5
COARSE_C = 1.0
TEMPERATURES = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0)
DEFAULT_TEMPERATURE = 0.3
MODES = ("fine", "hierarchical")

Progress = Callable[[str], None]


def _svm() -> LinearSVC:
    return LinearSVC(C=C, class_weight="balanced", random_state=0)


def _rows(analysed: Analysed, rows: list[int]) -> Analysed:
    return [analysed[0][i] for i in rows], analysed[1][rows]


def _fit(mode: str, analysed: Analysed, labels: Sequence[str]) -> tuple[Features, Any, Any]:
    features = Features(taxonomy().codes)
    matrix = features.fit_transform(analysed)
    fine = _svm().fit(matrix, labels)
    groups = [acled_label(label) for label in labels]
    coarse = None
    if mode == "hierarchical" and len(set(groups)) > 1:
        coarse = fit_nbsvm(matrix, groups, COARSE_C)
    return features, fine, coarse


def _nll(model: TrainedClassifier, parts: Parts, labels: Sequence[str]) -> float:
    probs = model.probabilities(parts)
    column = {code: i for i, code in enumerate(model.fine.classes_)}
    picked = [
        probs[row, column[label]] if label in column else 1e-9 for row, label in enumerate(labels)
    ]
    return float(-np.sum(np.log(np.maximum(picked, 1e-9))))


def lexicon_fingerprint() -> str:
    """A digest of the bundled lexicon files (the rule features depend on them)."""
    digest = hashlib.sha256()
    package = resources.files("qalxan.intake.classify")
    for name in ("scoring.yaml",):
        digest.update(package.joinpath(name).read_bytes())
    folder = package.joinpath("lexicon")
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")):
        digest.update(folder.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    keys: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> TrainedClassifier:
    """A model trained on ``texts`` labelled with taxonomy codes ``labels``.

    ``keys`` identify the examples for the validation split (default: the texts). Raises
    :class:`~qalxan.errors.InvalidInput` for an unknown code or fewer than two types.
    """
    say = progress or (lambda _: None)
    if len(texts) != len(labels):
        raise InvalidInput("train: as many labels as texts are needed", "labels")
    codes = set(taxonomy().codes)
    unknown = sorted({label for label in labels if label not in codes})
    if unknown:
        raise InvalidInput(f"train: unknown event types {', '.join(unknown)}", "labels")
    if len(set(labels)) < 2:
        raise InvalidInput("train: examples of at least two event types are needed", "labels")
    keys = keys if keys is not None else texts
    say(f"reading {len(texts)} reports and matching the lexicon")
    analysed = Features(taxonomy().codes).analyse(texts)
    fold_of = [bucket(key, "validation") % FOLDS for key in keys]
    candidates: dict[str, Scores] = {}
    mode, temperature = "hierarchical", DEFAULT_TEMPERATURE
    if len(texts) >= MIN_VALIDATION and all(
        len({label for label, f in zip(labels, fold_of, strict=True) if f != fold}) > 1
        for fold in range(FOLDS)
    ):
        candidates, mode, temperature = _cross_validate(analysed, labels, fold_of, say)
    say(f"fitting the {mode} design on all {len(texts)} reports")
    features, fine, coarse = _fit(mode, analysed, labels)
    metadata = _metadata(labels, mode, temperature, candidates)
    return TrainedClassifier(features, fine, coarse, temperature, metadata)


def _cross_validate(
    analysed: Analysed, labels: Sequence[str], fold_of: list[int], say: Progress
) -> tuple[dict[str, Scores], str, float]:
    """The designs' out-of-fold scores, the better design, and its temperature."""
    predicted: dict[str, list[Typing | None]] = {m: [None] * len(labels) for m in MODES}
    held: dict[str, list[tuple[TrainedClassifier, Parts, list[str]]]] = {m: [] for m in MODES}
    for fold in range(FOLDS):
        fit_rows = [row for row, f in enumerate(fold_of) if f != fold]
        val_rows = [row for row, f in enumerate(fold_of) if f == fold]
        for candidate in MODES:
            say(f"validating the {candidate} design, part {fold + 1} of {FOLDS}")
            features, fine, coarse = _fit(
                candidate, _rows(analysed, fit_rows), [labels[i] for i in fit_rows]
            )
            model = TrainedClassifier(features, fine, coarse, DEFAULT_TEMPERATURE, {})
            parts = features.parts_of(_rows(analysed, val_rows))
            for row, typing in zip(val_rows, model.classify_parts(parts), strict=True):
                predicted[candidate][row] = typing
            held[candidate].append((model, parts, [labels[i] for i in val_rows]))
    scores = {m: score_typings(labels, [t for t in predicted[m] if t is not None]) for m in MODES}
    mode = max(MODES, key=lambda m: scores[m].macro_f1 + scores[m].accuracy)
    say("fitting the probability temperature")
    temperature = min(
        TEMPERATURES,
        key=lambda t: sum(
            _nll(_with_temperature(model, t), parts, part) for model, parts, part in held[mode]
        ),
    )
    return scores, mode, temperature


def _with_temperature(model: TrainedClassifier, temperature: float) -> TrainedClassifier:
    return TrainedClassifier(model.features, model.fine, model.coarse, temperature, {})


def _metadata(
    labels: Sequence[str], mode: str, temperature: float, candidates: dict[str, Scores]
) -> dict[str, Any]:
    chosen = candidates.get(mode)
    return {
        "format": FORMAT,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "samples": len(labels),
        "labels": dict(sorted(Counter(labels).items())),
        "design": mode,
        "temperature": temperature,
        "groups": list(GROUPS),
        "validation": chosen.as_dict() if chosen else None,
        "candidates": {name: s.as_dict() for name, s in candidates.items()},
        "taxonomy_codes": list(taxonomy().codes),
        "lexicon": lexicon_fingerprint(),
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "joblib": joblib.__version__,
        },
    }
