"""Threat levels: how serious each threat is now, nationally or in a region, and why.

The data give a level from the incidents of the recent window (``data/levels.yaml``): one to
start with, a point for each cut the rate against its baseline passes, and a point for each cut
the mean severity passes; no incident in the window is level 1 whatever else holds. The
analysts' judgement, the risk register's likelihood x impact, gives a level too. The threat's
level is the higher of the two: the analysts can hold a level up (a disrupted plot, intelligence
of intent) that the incidents do not show yet, and a rise the incidents show is never hidden by
an older judgement; the two side by side show where the register needs review.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

BUNDLED = Path(__file__).parent / "data" / "levels.yaml"
PRIOR = 0.5


@dataclass(frozen=True)
class Scale:
    names: dict[int, dict[str, str]]
    recent_days: int
    baseline_days: int
    rate_cuts: tuple[float, ...]
    severity_cuts: tuple[float, ...]
    risk_cuts: tuple[int, ...]

    def name(self, level: int, language: str = "en") -> str:
        names = self.names[level]
        return names.get(language) or names["en"]


@lru_cache(maxsize=1)
def scale() -> Scale:
    raw: dict[str, Any] = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    return Scale(
        names={int(k): v for k, v in raw["names"].items()},
        recent_days=int(raw["recent_days"]),
        baseline_days=int(raw["baseline_days"]),
        rate_cuts=tuple(float(c) for c in raw["rate_cuts"]),
        severity_cuts=tuple(float(c) for c in raw["severity_cuts"]),
        risk_cuts=tuple(int(c) for c in raw["risk_cuts"]),
    )


@dataclass(frozen=True)
class Evidence:
    """What a level is worked out from: ``recent`` incidents in the recent window with
    ``severity_sum``, ``baseline`` incidents in the ``baseline_days`` before it, and the
    register's ``likelihood`` and ``impact`` (None when the threat has no assessment)."""

    recent: int
    severity_sum: int
    baseline: int
    likelihood: int | None = None
    impact: int | None = None
    # The windows' lengths when not the scale's (the picture reads whole weeks and months).
    recent_days: int | None = None
    baseline_days: int | None = None


@dataclass(frozen=True)
class Level:
    level: int
    from_data: int
    from_judgement: int | None
    expected: float
    ratio: float
    mean_severity: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "name": scale().name(self.level),
            "from_data": self.from_data,
            "from_judgement": self.from_judgement,
            "expected": round(self.expected, 2),
            "ratio": round(self.ratio, 2),
            "mean_severity": round(self.mean_severity, 2),
            "reasons": list(self.reasons),
        }


def risk_level(likelihood: int, impact: int) -> int:
    """The level the analysts' risk (likelihood x impact, 1-25) gives."""
    return 1 + sum(likelihood * impact >= cut for cut in scale().risk_cuts)


def level(evidence: Evidence) -> Level:
    """The level of one threat in one place, with its reasons."""
    s = scale()
    recent_days = evidence.recent_days or s.recent_days
    expected = evidence.baseline * recent_days / (evidence.baseline_days or s.baseline_days)
    ratio = (evidence.recent + PRIOR) / (expected + PRIOR)
    mean_severity = evidence.severity_sum / evidence.recent if evidence.recent else 0.0
    reasons = []
    if evidence.recent == 0:
        from_data = 1
        reasons.append(f"no incidents in the last {recent_days} days")
    else:
        rate_points = sum(ratio >= cut for cut in s.rate_cuts)
        severity_points = sum(mean_severity >= cut for cut in s.severity_cuts)
        from_data = min(5, 1 + rate_points + severity_points)
        reasons.append(
            f"{evidence.recent} incidents in the last {recent_days} days against "
            f"{expected:.1f} expected ({ratio:.1f}x): +{rate_points}"
        )
        reasons.append(f"mean severity {mean_severity:.1f} of 5: +{severity_points}")
    judged = None
    if evidence.likelihood is not None and evidence.impact is not None:
        risk = evidence.likelihood * evidence.impact
        judged = risk_level(evidence.likelihood, evidence.impact)
        reasons.append(
            f"analysts' assessment: likelihood {evidence.likelihood} x impact "
            f"{evidence.impact} = {risk}, level {judged}"
        )
    final = max(from_data, judged or 1)
    reasons.append(
        f"level {final} ({s.name(final)}): the higher of the incidents' {from_data}"
        + (f" and the assessment's {judged}" if judged is not None else "")
    )
    return Level(final, from_data, judged, expected, ratio, mean_severity, tuple(reasons))
