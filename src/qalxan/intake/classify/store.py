"""Where the platform keeps its typing model, and the classifier it types with.

:func:`classifier_for` answers the trained model when one is stored in the data directory,
else the rules. It is cached per data directory and checks the model file's modification time
on every call, so that a model trained by ``qalxan intake train`` (in another process) is used
from the next report on. A stored model that cannot be used (see
:class:`~qalxan.intake.classify.model.IncompatibleModel`) is logged and the rules are used.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

from qalxan.intake.classify.result import Classifier
from qalxan.intake.classify.rules import RuleClassifier

MODEL_NAME = "typing.joblib"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[Path, tuple[int | None, Classifier]] = {}


def model_path(data_dir: Path) -> Path:
    """The typing model's file in the data directory (its metadata is the ``.json`` beside)."""
    return data_dir / "models" / MODEL_NAME


@lru_cache(maxsize=1)
def rules() -> RuleClassifier:
    """The rule classifier of this process (the lexicon is compiled once)."""
    return RuleClassifier()


def _stamp(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def classifier_for(data_dir: Path) -> Classifier:
    """The trained model stored in ``data_dir``, or the rules when there is none."""
    path = model_path(data_dir).resolve()
    stamp = _stamp(path)
    held = _loaded.get(path)
    if held is not None and held[0] == stamp:
        return held[1]
    with _lock:
        held = _loaded.get(path)
        if held is not None and held[0] == stamp:
            return held[1]
        chosen: Classifier = rules()
        if stamp is not None:
            # scikit-learn is imported only when a model exists: it takes a second or two, which
            # a server typing with the rules should not pay at start.
            from qalxan.intake.classify.model import IncompatibleModel, TrainedClassifier

            try:
                chosen = TrainedClassifier.load(path)
            except IncompatibleModel as exc:
                log.warning("%s; typing with the rules", exc.message)
        _loaded[path] = (stamp, chosen)
        return chosen
