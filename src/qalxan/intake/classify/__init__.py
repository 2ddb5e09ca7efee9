"""Automatic typing of free-text reports, with an explanation.

Out of the box the :class:`RuleClassifier` types reports by the platform's own multilingual
lexicon (``lexicon/*.yaml``: English, Azerbaijani, Russian). :func:`train` learns a model from
labelled reports (analysts' confirmations and corrections, or a file read by
:func:`read_labelled`); stored in the data directory, it is what :func:`classifier_for` answers
from then on. Every :class:`Typing` says how it was reached: the matched cues with their
weights, or the model's most contributing terms, the method and the score margin. See
docs/typing.md.
"""

import importlib
from typing import TYPE_CHECKING, Any

from qalxan.intake.classify.evaluate import Scores, evaluate, split
from qalxan.intake.classify.labelled import Example, read_labelled, strip_acled_tags
from qalxan.intake.classify.result import Classifier, Typing
from qalxan.intake.classify.rules import RuleClassifier
from qalxan.intake.classify.store import classifier_for, model_path

if TYPE_CHECKING:
    from qalxan.intake.classify.model import IncompatibleModel, TrainedClassifier
    from qalxan.intake.classify.training import train

# The model and its training need scikit-learn, a second or two to import: they are loaded when
# first asked for, so that typing with the rules (and starting the server) does not wait.
_LAZY = {
    "IncompatibleModel": "qalxan.intake.classify.model",
    "TrainedClassifier": "qalxan.intake.classify.model",
    "train": "qalxan.intake.classify.training",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Classifier",
    "Example",
    "IncompatibleModel",
    "RuleClassifier",
    "Scores",
    "TrainedClassifier",
    "Typing",
    "classifier_for",
    "evaluate",
    "model_path",
    "read_labelled",
    "split",
    "strip_acled_tags",
    "train",
]
