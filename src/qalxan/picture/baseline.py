"""What count to expect in a period, from the periods before it.

Two baselines, as public-health surveillance uses them (the CDC's historical limits, the
Farrington method; a moving window where history is short):

- **seasonal**, once a series has enough years: the same time of year in earlier years (the
  period itself and a few on each side), so that the spring mudflow season or the summer fire
  season is not taken for a surge;
- **moving**, before that: the periods just before, leaving out the most recent few (a guard
  band) so that a surge building over two or three periods does not raise its own baseline.

Counts are over-dispersed (incidents come in clusters): where the baseline's variance exceeds its
mean, the tail probability is the negative binomial's with that mean and variance, else the
Poisson's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

Counts = npt.NDArray[np.int64]

# Added to a baseline's total so that a series never seen before still expects a little: a
# first incident is then unlikely (it is news), not impossible (a division by zero).
PRIOR_COUNT = 0.5


@dataclass(frozen=True)
class Window:
    """How a baseline is drawn (from the warning rules). ``season``: periods per year (365
    for days, 52 for weeks); ``years``: earlier years looked at; ``half_width``: periods on each
    side of the same time of year; ``window``/``guard``: the moving baseline's length and the
    recent periods it leaves out; ``minimum``: periods needed before anything is expected."""

    season: int
    years: int = 5
    half_width: int = 3
    window: int = 8
    guard: int = 1
    minimum: int = 4


@dataclass(frozen=True)
class Expected:
    mean: float
    variance: float
    periods: int
    basis: str

    def tail(self, observed: int) -> float:
        """The probability of ``observed`` or more by chance."""
        if observed <= 0:
            return 1.0
        if self.variance > self.mean * 1.05:
            # Negative binomial with this mean and variance: n successes, success p.
            n = self.mean**2 / (self.variance - self.mean)
            p = self.mean / self.variance
            return float(stats.nbinom.sf(observed - 1, n, p))
        return float(stats.poisson.sf(observed - 1, self.mean))


def expected(counts: Counts, t: int, window: Window) -> Expected | None:
    """The count to expect in period ``t`` of ``counts`` (None while history is too short)."""
    seasonal = _seasonal(t, window)
    if len(seasonal) >= window.minimum and t >= window.season * 2:
        years = len({(t - i + window.half_width) // window.season for i in seasonal})
        return _fit(counts[seasonal], f"the same time of year in {years} earlier years")
    end = t - window.guard
    start = max(0, end - window.window)
    if end - start < window.minimum:
        return None
    left_out = f", the last {window.guard} left out" if window.guard else ""
    return _fit(counts[start:end], f"the {end - start} periods before{left_out}")


def _seasonal(t: int, window: Window) -> npt.NDArray[np.int64]:
    found = [
        t - year * window.season + shift
        for year in range(1, window.years + 1)
        for shift in range(-window.half_width, window.half_width + 1)
    ]
    return np.array([i for i in found if 0 <= i < t - window.guard], np.int64)


def _fit(values: Counts, basis: str) -> Expected:
    n = len(values)
    mean = (float(values.sum()) + PRIOR_COUNT) / n
    variance = float(values.var(ddof=1)) if n > 1 else mean
    return Expected(mean, max(variance, mean), n, basis)
