"""A trained typing model: linear classifiers over :class:`Features`, stored with joblib.

The model holds a classifier over type codes (``fine``) and, when training chose it, one over
ACLED event types (``coarse``; the platform's own types without an ACLED equivalent form one
more group). A type's probability is the softmax of the decision values, divided by the
``temperature`` fitted at training; with a coarse classifier it is the probability of the type's
group times the type's share within that group. A typing's evidence is the terms that added
most to the decision for its type (coefficient times feature value, fine and coarse summed).

Files: ``<name>.joblib`` (the model) and ``<name>.json`` beside it (metadata: when, on what,
validation figures, library versions). Loading checks the metadata first and refuses a model
made for other type codes, by another format, or by another scikit-learn release. A joblib
file is a pickle: load only models the platform trained itself.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from qalxan.errors import QalxanError
from qalxan.intake.classify.evaluate import acled_label
from qalxan.intake.classify.features import GROUPS, Features
from qalxan.intake.classify.result import Typing, typing_from
from qalxan.intake.taxonomy import taxonomy

FORMAT = 1
EVIDENCE_TERMS = 6
# The temperature of a type's share within its group: low, so that the group the coarse
# classifier prefers keeps its probability on its best type rather than spreading it.
SHARE_TEMPERATURE = 0.1
MIN_SCORE = 0.001  # types less probable than this are left out of a Typing's scores


class IncompatibleModel(QalxanError):
    """A stored model that cannot be used here (other type codes, format or library)."""

    code = "model_incompatible"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _softmax(values: np.ndarray, temperature: float) -> np.ndarray:
    scaled = values / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _coefficients(clf: Any) -> np.ndarray:
    """One row of coefficients per class, also for a two-class model (which keeps one)."""
    coef = np.asarray(clf.coef_)
    return np.vstack([-coef[0], coef[0]]) if coef.shape[0] == 1 else coef


def _decisions(clf: Any, matrix: Any) -> np.ndarray:
    """One column of decision values per class, also for a two-class model."""
    values = np.asarray(clf.decision_function(matrix))
    return np.column_stack([-values, values]) if values.ndim == 1 else values


class TrainedClassifier:
    """Types reports with a model made by :func:`qalxan.intake.classify.train`."""

    method = "model"

    def __init__(
        self,
        features: Features,
        fine: Any,
        coarse: Any | None,
        temperature: float,
        metadata: dict[str, Any],
    ) -> None:
        self.features = features
        self.fine = fine
        self.coarse = coarse
        self.temperature = temperature
        self.metadata = metadata
        self._names: list[str] | None = None
        self._fine_classes = [str(c) for c in fine.classes_]
        self._group_of = np.array([GROUPS.index(acled_label(c)) for c in self._fine_classes])
        self._fine_coef = _coefficients(fine)
        self._coarse_coef = _coefficients(coarse) if coarse is not None else None
        self._coarse_row = {str(g): i for i, g in enumerate(coarse.classes_)} if coarse else {}

    def probabilities(self, matrix: Any) -> np.ndarray:
        """Each row's probabilities over ``fine.classes_``, for a matrix of :class:`Features`."""
        fine = _decisions(self.fine, matrix)
        if self.coarse is None:
            return _softmax(fine, self.temperature)
        group_probs = np.zeros((matrix.shape[0], len(GROUPS)), dtype=np.float64)
        coarse_probs = _softmax(_decisions(self.coarse, matrix), self.temperature)
        for column, group in enumerate(self.coarse.classes_):
            group_probs[:, GROUPS.index(str(group))] = coarse_probs[:, column]
        share = np.zeros_like(fine, dtype=np.float64)
        for group in np.unique(self._group_of):
            columns = self._group_of == group
            share[:, columns] = _softmax(fine[:, columns], SHARE_TEMPERATURE)
        probs = group_probs[:, self._group_of] * share
        result: np.ndarray = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
        return result

    def classify(self, text: str) -> Typing:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Typing]:
        if not texts:
            return []
        return self.classify_matrix(self.features.transform(texts))

    def classify_matrix(self, matrix: Any) -> list[Typing]:
        """The typings of the rows of a matrix of :class:`Features`."""
        probs = self.probabilities(matrix)
        names = self.feature_names()
        results = []
        for row in range(matrix.shape[0]):
            top = int(np.argmax(probs[row]))
            code = self._fine_classes[top]
            span = slice(matrix.indptr[row], matrix.indptr[row + 1])
            columns, values = matrix.indices[span], matrix.data[span]
            weights = self._fine_coef[top, columns]
            group_row = self._coarse_row.get(acled_label(code))
            if self._coarse_coef is not None and group_row is not None:
                weights = weights + self._coarse_coef[group_row, columns]
            contributions = weights * values
            order = np.argsort(-contributions)[:EVIDENCE_TERMS]
            evidence = tuple(
                f"{names[columns[i]]} {contributions[i]:+.2f}"
                for i in order
                if contributions[i] > 0
            )
            scores = {
                c: float(p)
                for c, p in zip(self._fine_classes, probs[row], strict=True)
                if p >= MIN_SCORE
            }
            results.append(typing_from(scores, self.method, label="probability", evidence=evidence))
        return results

    def feature_names(self) -> list[str]:
        if self._names is None:
            self._names = self.features.names()
        return self._names

    def save(self, path: Path) -> None:
        """Store the model at ``path`` and its metadata beside it (``.json``), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "features": self.features,
            "fine": self.fine,
            "coarse": self.coarse,
            "temperature": self.temperature,
        }
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            joblib.dump(payload, handle, compress=3)
        os.chmod(handle.name, 0o644)  # readable like the metadata, not only by its writer
        meta = path.with_suffix(".json")
        meta_tmp = meta.with_suffix(".json.tmp")
        meta_tmp.write_text(json.dumps(self.metadata, indent=2, ensure_ascii=False), "utf-8")
        os.replace(meta_tmp, meta)
        os.replace(handle.name, path)

    @classmethod
    def load(cls, path: Path) -> TrainedClassifier:
        """The model stored at ``path``; :class:`IncompatibleModel` when it cannot be used."""
        meta_path = path.with_suffix(".json")
        try:
            metadata = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IncompatibleModel(f"typing model {path}: no readable {meta_path.name}") from exc
        check(metadata, path)
        try:
            payload = joblib.load(path)
        except Exception as exc:  # an unpickling error can be of any type
            raise IncompatibleModel(f"typing model {path}: cannot be read ({exc})") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise IncompatibleModel(f"typing model {path}: not a format-{FORMAT} typing model")
        return cls(
            payload["features"],
            payload["fine"],
            payload["coarse"],
            float(payload["temperature"]),
            metadata,
        )


def check(metadata: Any, path: Path) -> None:
    """Refuse metadata of a model that this installation cannot use."""
    made_as = metadata.get("format") if isinstance(metadata, dict) else None
    if made_as != FORMAT:
        raise IncompatibleModel(
            f"typing model {path}: format {made_as!r}, this release reads {FORMAT}; "
            "train again (qalxan intake train)"
        )
    versions = metadata.get("versions")
    made_with = str(versions.get("scikit-learn", "?") if isinstance(versions, dict) else "?")
    if _minor(made_with) != _minor(sklearn.__version__):
        raise IncompatibleModel(
            f"typing model {path}: made with scikit-learn {made_with}, this installation has "
            f"{sklearn.__version__}; train again (qalxan intake train)"
        )
    codes = metadata.get("taxonomy_codes")
    if codes != list(taxonomy().codes):
        raise IncompatibleModel(
            f"typing model {path}: made for other event type codes than the taxonomy's; "
            "train again (qalxan intake train)"
        )
