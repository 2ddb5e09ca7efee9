"""Automatic typing of free-text reports, with an explanation.

Out of the box the :class:`RuleClassifier` types reports by the platform's own multilingual
lexicon (``lexicon/*.yaml``: English, Azerbaijani, Russian). :func:`train` learns a model from
labelled reports (analysts' confirmations and corrections, or a file read by
:func:`read_labelled`); stored in the data directory, it is what :func:`classifier_for` answers
from then on. Every :class:`Typing` says how it was reached: the matched cues with their
weights, or the model's most contributing terms, the method and the score margin. See
docs/typing.md.
"""

from qalxan.intake.classify.evaluate import Scores, evaluate, split
from qalxan.intake.classify.labelled import Example, read_labelled, strip_acled_tags
from qalxan.intake.classify.model import IncompatibleModel, TrainedClassifier
from qalxan.intake.classify.result import Classifier, Typing
from qalxan.intake.classify.rules import RuleClassifier
from qalxan.intake.classify.store import classifier_for, model_path
from qalxan.intake.classify.training import train

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
