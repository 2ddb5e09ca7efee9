"""The alert threshold of each screening use: the match score at or above which a result is an
alert, stored as a hit for an officer's review.

Each use (``border``, ``customs``, ``fiu``: the uses ``lists.yaml`` names) may have its own
setting, ``QALXAN_SCREENING_THRESHOLD_<USE>``; a use without one takes
``QALXAN_SCREENING_THRESHOLD``. The settings object validates each to 0..1 when it is read.
"""

from __future__ import annotations

import math

from qalxan.errors import InvalidInput
from qalxan.screening import lists
from qalxan.settings import Settings


def threshold(settings: Settings, use: str) -> float:
    """The alert threshold of ``use``; :class:`InvalidInput` naming ``use`` and the known uses
    when ``use`` is not one of them."""
    known = lists.uses()
    if use not in known:
        raise InvalidInput(f"use: {use!r} is not one of {', '.join(known)}", "use")
    own = getattr(settings, f"screening_threshold_{use}", None)
    return float(own) if own is not None else settings.screening_threshold


def checked(value: float, field: str = "threshold") -> float:
    """A threshold given by a caller, or :class:`InvalidInput` when it is not in 0..1."""
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise InvalidInput(f"{field}: a number between 0 and 1", field)
    return float(value)
