"""What one incident adds to the picture, and how changes net into deltas."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from qalxan.picture.contribution import Contribution, contribution, threats_of
from qalxan.picture.grains import GRAINS
from qalxan.picture.rollup import net

AT = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)


def incident(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": "open",
        "first_observed": AT,
        "admin1": "AZ-BA",
        "country": "AZ",
        "event_type": "smuggling",
        "severity": 2,
        "killed": 0,
        "injured": 1,
        "classification": 1,
    }
    values.update(changes)
    return values


def test_a_merged_incident_counts_nothing() -> None:
    assert contribution(incident(status="merged")) is None
    assert contribution(incident(status="open")) is not None


def test_an_incident_counts_under_its_day_region_type_and_threats() -> None:
    assert contribution(incident()) == Contribution(
        day=date(2026, 10, 1),
        region="AZ-BA",
        event_type="smuggling",
        threats=("threat-3-5",),
        severity=2,
        killed=0,
        injured=1,
        classification=1,
    )


def test_a_peaceful_demonstration_bears_on_no_threat() -> None:
    counted = contribution(incident(event_type="peaceful-protest"))
    assert counted is not None and counted.threats == ("",)


def test_threats_and_the_emergency_and_cyber_directions_count() -> None:
    # An earthquake bears on the emergencies direction (4.3.10), watched like a threat.
    assert threats_of("earthquake") == ("direction-4-3-10",)
    assert threats_of("cyber-incident") == ("direction-4-3-11",)
    # A wildfire bears on both the direction and the threat 3.11 (ecology).
    assert threats_of("wildfire") == ("direction-4-3-10", "threat-3-11")
    assert threats_of("armed-clash") == ("threat-3-1", "threat-3-5")


def test_the_classification_is_kept_so_readers_see_only_what_they_are_cleared_for() -> None:
    secret = contribution(incident(classification=3))
    assert secret is not None and secret.classification == 3
    day_type, day, month, week, national = net([(None, secret)])
    assert all(key[-1] == 3 for grain in (day_type, day, month, week, national) for key in grain)


def test_the_region_falls_back_to_the_country_then_to_unknown() -> None:
    abroad = contribution(incident(admin1=None, country="GE"))
    unplaced = contribution(incident(admin1=None, country=None))
    assert abroad is not None and abroad.region == "GE"
    assert unplaced is not None and unplaced.region == ""


def test_the_day_is_the_utc_date() -> None:
    late = datetime(2026, 10, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    counted = contribution(incident(first_observed=late))
    assert counted is not None and counted.day == date(2026, 10, 2)
    naive = contribution(incident(first_observed=datetime(2026, 10, 1, 23, 59)))
    assert naive is not None and naive.day == date(2026, 10, 1)


def test_changes_net_into_one_delta_per_key() -> None:
    clash = contribution(incident(event_type="armed-clash", killed=2, severity=4))
    assert clash is not None
    day_type, _, month, _, _ = net([(None, clash)])
    assert day_type == {
        (date(2026, 10, 1), "threat-3-1", "armed-clash", "AZ-BA", 1): [1, 4, 2, 1],
        (date(2026, 10, 1), "threat-3-5", "armed-clash", "AZ-BA", 1): [1, 4, 2, 1],
    }
    assert set(month) == {(date(2026, 10, 1), t, "AZ-BA", 1) for t in ("threat-3-1", "threat-3-5")}
    # Moved to the next day: minus one on the old day, plus one on the new one.
    later = contribution(incident(first_observed=AT + timedelta(days=1)))
    before = contribution(incident())
    _, moved, same_month, _, _ = net([(before, later)])
    assert moved == {
        (date(2026, 10, 1), "threat-3-5", "AZ-BA", 1): [-1, -2, 0, -1],
        (date(2026, 10, 2), "threat-3-5", "AZ-BA", 1): [1, 2, 0, 1],
    }
    assert same_month == {}  # the same month: the changes cancel out
    assert net([(before, before), (None, None)]) == [{} for _ in GRAINS]


def test_the_national_weeks_count_incidents_in_azerbaijan_only() -> None:
    abroad = contribution(incident(admin1=None, country="GE"))
    no_district = contribution(incident(admin1=None, country="AZ"))
    *_, national = net([(None, abroad)])
    assert national == {}
    *_, national = net([(None, no_district)])
    assert list(national) == [(date(2026, 9, 28), "threat-3-5", 1)]
