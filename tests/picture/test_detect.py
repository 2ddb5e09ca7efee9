"""Early-warning detection on count series: baselines, surges, sustained rises, rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qalxan.errors import InvalidInput
from qalxan.picture.baseline import Window, expected
from qalxan.picture.detect import SHIFT, SURGE, Rule, episodes, scan
from qalxan.picture.warning_rules import rule_for, rules

WEEKLY = Rule("test", "week", Window(season=52), alpha=0.001, min_count=3, ratio=2.0, limit=4.0)


def poisson(rate: float, periods: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, periods).astype(np.int64)


def test_no_baseline_before_the_minimum_history() -> None:
    counts = np.array([1, 2, 1, 3, 2, 2], np.int64)
    window = Window(season=52, window=8, guard=1, minimum=4)
    assert expected(counts, 4, window) is None
    base = expected(counts, 5, window)
    assert base is not None
    assert base.periods == 4
    assert base.mean == pytest.approx((1 + 2 + 1 + 3 + 0.5) / 4)
    assert "1 left out" in base.basis


def test_seasonal_baseline_uses_the_same_time_of_earlier_years() -> None:
    # Quiet all year but a busy fortnight every spring: spring is not a surge.
    season = 52
    counts = np.zeros(season * 4, np.int64)
    for year in range(4):
        counts[year * season + 12 : year * season + 14] = 8
    window = Window(season=season, years=3, half_width=1, guard=1)
    base = expected(counts, 3 * season + 12, window)
    assert base is not None
    assert "earlier years" in base.basis
    assert base.mean > 2
    assert not [s for s in scan(counts, WEEKLY, start=2 * season) if s.method == SURGE]


def test_overdispersed_baselines_are_less_surprised() -> None:
    window = Window(season=52, window=8, guard=0, minimum=4)
    calm = expected(np.array([4, 4, 4, 4, 4, 4, 4, 4, 0], np.int64), 8, window)
    bursty = expected(np.array([0, 12, 0, 8, 0, 0, 12, 0, 0], np.int64), 8, window)
    assert calm is not None and bursty is not None
    assert calm.mean == pytest.approx(bursty.mean, abs=0.2)
    assert bursty.tail(12) > 50 * calm.tail(12)


def test_a_surge_is_flagged_in_its_period_and_explains_itself() -> None:
    counts = poisson(3.0, 40)
    counts[30] = 20
    signals = scan(counts, WEEKLY)
    surge = [s for s in signals if s.period == 30]
    assert surge and surge[0].method == SURGE
    said = surge[0].explain()
    assert "20 incidents in this period" in said
    assert "expected" in said and "p = " in said
    assert surge[0].probability < WEEKLY.alpha


def test_a_quiet_series_raises_nothing_and_one_incident_is_not_a_warning() -> None:
    # Two hundred periods of a steady rate: at most one chance warning.
    assert len(episodes(scan(poisson(3.0, 200, seed=3), WEEKLY))) <= 1
    counts = np.zeros(30, np.int64)
    counts[25] = 1
    assert scan(counts, WEEKLY) == []


def test_a_sustained_rise_too_small_for_any_one_period_is_a_shift() -> None:
    counts = np.concatenate([poisson(4.0, 30, seed=5), poisson(9.0, 10, seed=6)])
    found = scan(counts, WEEKLY, start=30)
    assert found, "a doubling sustained over ten periods must warn"
    assert any(s.method == SHIFT for s in found) or found[0].method == SURGE
    first = found[0]
    assert 30 <= first.period <= 36


def test_a_scan_starting_after_a_warned_sequence_does_not_warn_of_it_again() -> None:
    # A sequence that warned before the scan's start: scanning on from the next period must
    # find what a scan of the whole series finds there, not the old excess again.
    counts = np.concatenate(
        [poisson(2.0, 30, seed=7), [25, 12, 9, 7, 6, 5], poisson(2.0, 20, seed=8)]
    )
    for start in range(32, 37):
        whole = [s for s in scan(counts, WEEKLY) if s.period >= start]
        assert scan(counts, WEEKLY, start=start) == whole


def test_episodes_group_neighbouring_periods() -> None:
    counts = poisson(2.0, 30)
    counts[20:23] = 15
    grouped = episodes(scan(counts, WEEKLY))
    assert len(grouped) == 1
    assert grouped[0][0].period == 20


def test_bundled_rules_watch_hazards_by_the_day() -> None:
    assert rule_for("direction-4-3-10").scale == "day"
    assert rule_for("threat-3-1").scale == "week"
    assert sum(1 for r in rules() if not r.threats) == 1


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("rules: []", "rules"),
        ("rules:\n  - {scale: month, alpha: 0.01, ratio: 2, limit: 4}", "scale"),
        ("rules:\n  - {scale: week, alpha: 2, ratio: 2, limit: 4}", "alpha"),
        ("rules:\n  - {scale: week, alpha: 0.01, ratio: 0.5, limit: 4}", "ratio"),
        ("rules:\n  - {scale: week, alpha: 0.01, ratio: 2}", "limit"),
        ("rules:\n  - {scale: week, alpha: 0.01, ratio: 2, limit: 4, window: 2.5}", "window"),
        ("rules:\n  - {scale: week, alpha: 0.01, ratio: 2, limit: 4, threats: ['3.1']}", "rules"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        rules(path)
    assert caught.value.field == field
