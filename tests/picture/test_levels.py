"""Threat levels from incidents against their baseline, severity and the analysts' judgement."""

from __future__ import annotations

from qalxan.picture.levels import Evidence, level, scale


def test_no_incidents_and_no_assessment_is_low() -> None:
    found = level(Evidence(recent=0, severity_sum=0, baseline=40))
    assert found.level == 1
    assert found.from_judgement is None
    assert "no incidents" in found.reasons[0]


def test_a_rise_against_the_baseline_and_severe_incidents_raise_the_level() -> None:
    usual = level(Evidence(recent=3, severity_sum=6, baseline=39))
    assert usual.level == 1  # 3 against 3.0 expected, mean severity 2
    tripled = level(Evidence(recent=9, severity_sum=18, baseline=39))
    assert tripled.level == 3  # ratio about 2.7: two points
    severe = level(Evidence(recent=9, severity_sum=40, baseline=39))
    assert severe.level == 5  # and mean severity 4.4: two more
    assert severe.ratio > 2
    assert any("mean severity 4.4" in r for r in severe.reasons)


def test_the_analysts_judgement_holds_a_level_up_but_never_hides_a_rise() -> None:
    held = level(Evidence(recent=0, severity_sum=0, baseline=10, likelihood=4, impact=4))
    assert held.level == 4 and held.from_data == 1 and held.from_judgement == 4
    risen = level(Evidence(recent=20, severity_sum=80, baseline=10, likelihood=1, impact=2))
    assert risen.level == 5 and risen.from_judgement == 1
    assert "the higher of" in risen.reasons[-1]


def test_levels_have_names_in_three_languages() -> None:
    names = scale().names
    assert set(names) == {1, 2, 3, 4, 5}
    assert all({"en", "az", "ru"} <= set(n) for n in names.values())
    assert level(Evidence(0, 0, 0)).as_dict()["name"] == "low"
