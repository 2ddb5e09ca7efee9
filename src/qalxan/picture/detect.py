"""Count anomalies in one series (incidents of one threat in one region, per day or week).

Two tests, each answering a different kind of change:

- **a surge**: this period's count is improbable against its baseline (the tail probability
  below the rule's ``alpha``, with at least ``min_count`` incidents so that one incident in a
  quiet region is not a warning);
- **a shift**: a Poisson CUSUM (Lucas, 1985) adds up, period after period, the evidence that
  the rate has risen by the rule's ``ratio``, and warns when the sum passes ``limit``: a rise
  too small to stand out in any one period.

Every signal keeps what it was decided on (observed, expected, its basis, the probability), so
that the warning can say why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from qalxan.picture.baseline import Counts, Expected, Window, expected

SURGE = "surge"
SHIFT = "shift"


@dataclass(frozen=True)
class Rule:
    """A warning rule (``data/warning_rules.yaml``)."""

    name: str
    scale: str
    window: Window
    alpha: float
    min_count: int
    ratio: float
    limit: float
    threats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signal:
    """Period ``period`` warned: ``observed`` against ``expected`` over ``periods`` periods
    (one for a surge; the run the CUSUM added up for a shift)."""

    period: int
    method: str
    observed: int
    expected: float
    periods: int
    probability: float
    basis: str

    def explain(self) -> str:
        over = "this period" if self.periods == 1 else f"the last {self.periods} periods"
        kind = "a surge" if self.method == SURGE else "a sustained rise"
        return (
            f"{kind}: {self.observed} incidents in {over} against {self.expected:.1f} "
            f"expected ({self.basis}); {self.observed} or more by chance: "
            f"p = {self.probability:.2g}"
        )


def scan(counts: Counts, rule: Rule, start: int = 0) -> list[Signal]:
    """The signals of every period from ``start`` on, in order."""
    signals: list[Signal] = []
    evidence = 0.0
    run_observed = 0
    run_expected = 0.0
    run_periods = 0
    log_ratio = math.log(rule.ratio)
    for t in range(len(counts)):
        base = expected(counts, t, rule.window)
        if base is None:
            continue
        observed = int(counts[t])
        evidence = max(0.0, evidence + observed * log_ratio - (rule.ratio - 1) * base.mean)
        if evidence > 0:
            run_observed += observed
            run_expected += base.mean
            run_periods += 1
        else:
            run_observed, run_expected, run_periods = 0, 0.0, 0
        # Periods before ``start`` raise nothing but restart the sum as if they had: a scan
        # that begins inside an old sequence must not raise its excess again as new.
        surge = _surge(t, observed, base, rule)
        if t >= start and surge is not None:
            signals.append(surge)
        elif t >= start and evidence >= rule.limit:
            probability = float(stats.poisson.sf(run_observed - 1, run_expected))
            signals.append(
                Signal(t, SHIFT, run_observed, run_expected, run_periods, probability, base.basis)
            )
        if surge is not None or evidence >= rule.limit:
            # Start again after a warning: the next one needs new evidence.
            evidence = 0.0
            run_observed, run_expected, run_periods = 0, 0.0, 0
    return signals


def _surge(t: int, observed: int, base: Expected, rule: Rule) -> Signal | None:
    if observed < rule.min_count:
        return None
    probability = base.tail(observed)
    if probability >= rule.alpha:
        return None
    return Signal(t, SURGE, observed, base.mean, 1, probability, base.basis)


def episodes(signals: list[Signal], gap: int = 1) -> list[list[Signal]]:
    """Signals grouped into episodes: one warning per run of periods at most ``gap`` apart
    (a week of alarms is one event, not seven)."""
    found: list[list[Signal]] = []
    for signal in signals:
        if found and signal.period - found[-1][-1].period <= gap:
            found[-1].append(signal)
        else:
            found.append([signal])
    return found
