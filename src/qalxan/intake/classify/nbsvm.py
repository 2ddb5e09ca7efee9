"""A linear SVM over naive-Bayes-scaled features (NB-SVM, Wang and Manning 2012), one versus rest.

For each class, every feature is scaled by its log-count ratio (how much more often it occurs
in that class than in the others) before a linear SVM is fitted; the scaling is then folded
into the coefficients, so that the fitted model is a plain linear model: ``X @ coef_.T +
intercept_``. On report typing it beats the same SVM on unscaled features.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.svm import LinearSVC

SMOOTHING = 1.0


class NBLinear:
    """A fitted one-versus-rest linear model; ``coef_`` has one row per class."""

    def __init__(self, classes: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes_ = classes
        self.coef_ = coef
        self.intercept_ = intercept

    def decision_function(self, matrix: Any) -> np.ndarray:
        result: np.ndarray = np.asarray(matrix @ self.coef_.T) + self.intercept_
        return result

    def predict(self, matrix: Any) -> np.ndarray:
        result: np.ndarray = self.classes_[np.argmax(self.decision_function(matrix), axis=1)]
        return result


def fit_nbsvm(matrix: Any, labels: Sequence[str], c: float) -> NBLinear:
    """An :class:`NBLinear` fitted on a sparse ``matrix`` with one label per row."""
    target = np.asarray(labels)
    classes = np.unique(target)
    present = (matrix > 0).astype(np.float64)
    coefs, intercepts = [], []
    for label in classes:
        mine = target == label
        pos = np.asarray(present[mine].sum(axis=0)).ravel() + SMOOTHING
        neg = np.asarray(present[~mine].sum(axis=0)).ravel() + SMOOTHING
        ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
        svm = LinearSVC(C=c, class_weight="balanced", max_iter=5000, random_state=0)
        svm.fit(matrix.multiply(ratio).tocsr(), mine.astype(int))
        coefs.append(svm.coef_[0] * ratio)
        intercepts.append(svm.intercept_[0])
    return NBLinear(classes, np.vstack(coefs).astype(np.float32), np.asarray(intercepts))
