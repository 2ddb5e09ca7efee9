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
from dataclasses import replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from qalxan.errors import QalxanError
from qalxan.intake.classify.evaluate import acled_label
from qalxan.intake.classify.features import GROUPS, Features, Parts
from qalxan.intake.classify.result import Typing, typing_from
from qalxan.intake.classify.rules import RuleClassifier
from qalxan.intake.taxonomy import taxonomy

FORMAT = 1
EVIDENCE_TERMS = 6
# The temperature of a type's share within its group: low, so that the group the coarse
# classifier prefers keeps its probability on its best type rather than spreading it.
SHARE_TEMPERATURE = 0.1
MIN_SCORE = 0.001  # types less probable than this are left out of a Typing's scores
UNSEEN_SHARE = 0.6


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


class _Weights:
    """A fitted linear classifier as plain arrays, split like :meth:`Features.parts`: one
    column per class, also for a two-class model (which keeps a single row of coefficients)."""

    def __init__(self, clf: Any, vocabulary: int) -> None:
        coef = np.asarray(clf.coef_, dtype=np.float32)
        intercept = np.asarray(clf.intercept_, dtype=np.float32).ravel()
        if coef.shape[0] == 1:
            coef, intercept = (
                np.vstack([-coef[0], coef[0]]),
                np.array([-intercept[0], intercept[0]]),
            )
        self.terms = np.ascontiguousarray(coef[:, :vocabulary].T)
        self.rules = np.ascontiguousarray(coef[:, vocabulary:].T)
        self.intercept = intercept

    def decisions(self, parts: Parts) -> np.ndarray:
        terms, rules = parts
        result: np.ndarray = np.asarray(terms @ self.terms) + rules @ self.rules + self.intercept
        return result


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
        vocabulary = len(features.vectorizer.vocabulary_)
        self._fine = _Weights(fine, vocabulary)
        self._coarse = _Weights(coarse, vocabulary) if coarse is not None else None
        self._fine_classes = [str(c) for c in fine.classes_]
        self._group_of = np.array([GROUPS.index(acled_label(c)) for c in self._fine_classes])
        coarse_column = {str(g): i for i, g in enumerate(coarse.classes_)} if coarse else {}
        self._coarse_of_fine = np.array(
            [coarse_column.get(acled_label(code), -1) for code in self._fine_classes]
        )
        self._coarse_groups = [GROUPS.index(str(g)) for g in coarse.classes_] if coarse else []
        self._known = frozenset(self._fine_classes)
        self._unseen = [i for i, c in enumerate(features.codes) if c not in self._known]
        self._rules = RuleClassifier()

    def probabilities(self, parts: Parts) -> np.ndarray:
        """Each row's probabilities over ``fine.classes_``, for :meth:`Features.parts`."""
        fine = self._fine.decisions(parts)
        if self._coarse is None:
            return _softmax(fine, self.temperature)
        group_probs = np.zeros((fine.shape[0], len(GROUPS)), dtype=np.float64)
        group_probs[:, self._coarse_groups] = _softmax(
            self._coarse.decisions(parts), self.temperature
        )
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
        """The typings of ``texts``; a text the rules type as a type the model never saw in
        training, with at least ``UNSEEN_SHARE`` of the cue weight on such types, is typed by
        the rules (a model trained on ACLED data knows no earthquake)."""
        if not texts:
            return []
        parts = self.features.parts(texts)
        typings = self.classify_parts(parts)
        shares = parts[1][:, : len(self.features.codes)]
        unseen = shares[:, self._unseen].sum(axis=1) if self._unseen else np.zeros(len(texts))
        for row in map(int, np.flatnonzero(unseen >= UNSEEN_SHARE)):
            if self.features.codes[int(np.argmax(shares[row]))] not in self._known:
                typed = self._rules.classify(texts[row])
                note = f"not a type the model was trained on; {typed.explanation}"
                typings[row] = replace(typed, explanation=note)
        return typings

    def classify_parts(self, parts: Parts) -> list[Typing]:
        """The typings of the rows of :meth:`Features.parts`."""
        probs = self.probabilities(parts)
        tops = np.argmax(probs, axis=1)
        evidence = self._evidence(parts, tops)
        return [
            typing_from(
                {
                    code: float(p)
                    for code, p in zip(self._fine_classes, probs[row], strict=True)
                    if p >= MIN_SCORE
                },
                self.method,
                label="probability",
                evidence=evidence[row],
            )
            for row in range(len(probs))
        ]

    def _evidence(self, parts: Parts, tops: np.ndarray) -> list[tuple[str, ...]]:
        """Per row, the features that added most to the decision for its class ``tops[row]``
        (all rows at once: one pass of array operations, then the names)."""
        terms, rules = parts
        rows = len(tops)
        term_rows = np.repeat(np.arange(rows), np.diff(terms.indptr))
        rule_rows, rule_columns = np.nonzero(rules)
        term_weights = self._fine.terms[terms.indices, tops[term_rows]]
        rule_weights = self._fine.rules[rule_columns, tops[rule_rows]]
        if self._coarse is not None:
            groups = self._coarse_of_fine[tops]
            known = groups >= 0
            column = np.maximum(groups, 0)
            term_weights = term_weights + np.where(
                known[term_rows], self._coarse.terms[terms.indices, column[term_rows]], 0
            )
            rule_weights = rule_weights + np.where(
                known[rule_rows], self._coarse.rules[rule_columns, column[rule_rows]], 0
            )
        contributions = np.concatenate(
            [term_weights * terms.data, rule_weights * rules[rule_rows, rule_columns]]
        )
        owners = np.concatenate([term_rows, rule_rows])
        columns = np.concatenate([terms.indices, rule_columns + terms.shape[1]])
        positive = contributions > 0
        contributions, owners, columns = (
            contributions[positive],
            owners[positive],
            columns[positive],
        )
        order = np.lexsort((-contributions, owners))
        starts = np.searchsorted(owners[order], np.arange(rows + 1))
        names = self.feature_names()
        found: list[tuple[str, ...]] = []
        for row in range(rows):
            picked = order[starts[row] : min(starts[row + 1], starts[row] + EVIDENCE_TERMS)]
            found.append(tuple(f"{names[columns[i]]} {contributions[i]:+.2f}" for i in picked))
        return found

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
