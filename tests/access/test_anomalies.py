"""Anomalies: injected spikes, off-hours and cross-agency access are found, a normal week is not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from qalxan.access import anomalies, audit
from qalxan.access.audit import Context
from qalxan.access.oversight_rules import VolumeSpike, rules
from qalxan.access.periods import Clock, Period
from qalxan.access.principal import Principal
from qalxan.bootstrap import trail
from qalxan.errors import Forbidden, InvalidInput
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.access.synthetic import BAKU, Event, actions, actor, append, baku, event, read

CLOCK = Clock.parse("08:00-19:00", "Asia/Baku")
WEEK = Period.of(datetime(2026, 3, 16), datetime(2026, 3, 23), BAKU)  # Monday to Sunday
FIRST = date(2026, 2, 16)  # 28 days before the week: the spike rule's baseline


def routine(who: Principal, until: date = date(2026, 3, 23)) -> list[Event]:
    """Two or three reads of one's own agency's records every weekday at 10:00-10:02."""
    found = []
    day = FIRST
    while day < until:
        if day.weekday() < 5:
            for i in range(2 + day.day % 2):
                found.append(read(baku(day.year, day.month, day.day, 10, i), who))
        day += timedelta(days=1)
    return found


def detect(engine: Engine, period: Period = WEEK) -> list[anomalies.Anomaly]:
    with transaction(engine) as session:
        return anomalies.detect(session, period, CLOCK)


def test_a_normal_pattern_raises_nothing(engine: Engine, settings: Settings) -> None:
    mia, sbs = actor("normal.mia", "agency-mia"), actor("normal.sbs", "agency-sbs")
    append(engine, settings, [*routine(mia), *routine(sbs)])
    assert detect(engine) == []


def test_injected_anomalies_are_found_and_explain_themselves(
    engine: Engine, settings: Settings
) -> None:
    normal = actor("normal", "agency-mia")
    spiky = actor("spiky", "agency-sbs")
    owl = actor("owl", "agency-mia")
    crosser = actor("crosser", "agency-mia")
    stranger = Principal(None, "guessed-name", None, None, (), 0, "session")
    events = [*routine(normal), *routine(spiky), *routine(owl), *routine(crosser)]
    events += [
        read(baku(2026, 3, 17, 11, i % 60) + timedelta(hours=i // 60), spiky) for i in range(90)
    ]
    events += [
        read(baku(2026, 3, 18, 23, 30), owl),
        read(baku(2026, 3, 18, 23, 45), owl),
        event(baku(2026, 3, 21, 12, 0), owl, "bulletin.update", record_type="bulletin"),
        read(baku(2026, 3, 19, 7, 59), owl),  # one minute before the working day
        read(baku(2026, 3, 19, 19, 0), owl),  # the first minute after it
        read(baku(2026, 3, 19, 8, 0), owl),  # working hours: not flagged
        read(baku(2026, 3, 19, 18, 59), owl),
    ]
    events += [read(baku(2026, 3, 17, 10, 30 + i), crosser, "agency-sbs") for i in range(3)]
    events += [
        event(
            baku(2026, 3, 17, 11, 0),
            crosser,
            "complaint.create",
            record_type="complaint",
            record_agency="agency-sbs",
        ),
        Event(baku(2026, 3, 18, 3, 0), stranger, audit.Entry("auth.login"), "denied"),
    ]
    append(engine, settings, events)

    found = detect(engine)
    by_kind = {kind: [a for a in found if a.kind == kind] for kind in anomalies.ORDER}

    [spike] = by_kind["volume_spike"]
    assert (spike.actor.username, spike.day, spike.observed) == ("spiky", date(2026, 3, 17), 93)
    assert spike.expected == pytest.approx(sum(2 + d.day % 2 for d in _weekdays()) / 28)
    assert spike.threshold == rules().anomalies.volume_spike.min_count
    assert "93 reads on Tuesday 2026-03-17" in spike.explanation
    assert "28 days" in spike.rule

    off = {(a.actor.username, a.day): a for a in by_kind["off_hours"]}
    assert set(off) == {
        ("owl", date(2026, 3, 18)),
        ("owl", date(2026, 3, 19)),
        ("owl", date(2026, 3, 21)),
    }
    assert off[("owl", date(2026, 3, 18))].observed == 2
    assert "the first at 23:30, the last at 23:45" in off[("owl", date(2026, 3, 18))].explanation
    assert off[("owl", date(2026, 3, 19))].observed == 2  # 07:59 and 19:00, not 08:00 or 18:59
    assert off[("owl", date(2026, 3, 21))].detail["actions"] == {"bulletin.update": 1}
    assert "Saturday" in off[("owl", date(2026, 3, 21))].explanation
    assert "guessed-name" not in {a.actor.username for a in found}

    [cross] = by_kind["cross_agency"]
    assert (cross.actor.username, cross.observed) == ("crosser", 3)
    assert cross.detail["record_agency"] == "agency-sbs"
    assert cross.detail["actions"] == {"bulletin.read": 3}  # the complaint is exempt
    assert "owned by agency-sbs" in cross.explanation and "agency-mia" in cross.explanation
    assert set(cross.to_dict()) >= {"observed", "expected", "threshold", "rule", "explanation"}


def _weekdays() -> list[date]:
    days = [date(2026, 2, 17) + timedelta(days=i) for i in range(28)]
    return [d for d in days if d.weekday() < 5]


def test_thresholds_are_parameters(engine: Engine, settings: Settings) -> None:
    who = actor("steady", "agency-mia")
    append(
        engine, settings, [*routine(who), *[read(baku(2026, 3, 20, 9, i), who) for i in range(12)]]
    )
    with transaction(engine) as session:
        assert anomalies.volume_spikes(session, WEEK, CLOCK, rules().anomalies.volume_spike) == []
        [found] = anomalies.volume_spikes(
            session, WEEK, CLOCK, VolumeSpike(baseline_days=28, k=3.0, min_count=10)
        )
    assert (found.day, found.observed) == (date(2026, 3, 20), 14)


def test_anomalies_need_oversight_read_and_are_audited(engine: Engine, settings: Settings) -> None:
    records = trail(settings, engine)
    with pytest.raises(Forbidden):
        anomalies.anomalies(Context(actor("nosy", "agency-mia"), records), WEEK, CLOCK)
    overseer = actor("overseer", "agency-ssscis", ("oversight",))
    assert anomalies.anomalies(Context(overseer, records), WEEK, CLOCK) == []
    reads = actions(engine, "oversight.read")
    assert [(r.actor_name, r.outcome, r.detail["view"]) for r in reads] == [
        ("nosy", "denied", "anomalies"),
        ("overseer", "success", "anomalies"),
    ]


def test_local_days_and_working_hours_follow_the_time_zone() -> None:
    berlin = Clock.parse("09:00-17:00", "Europe/Berlin")
    period = Period.of(datetime(2026, 3, 28), datetime(2026, 3, 31), ZoneInfo("Europe/Berlin"))
    days = berlin.days(period)
    assert [d.day for d in days] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert days[1].end - days[1].start == timedelta(hours=23)  # summer time starts
    [monday] = berlin.working_intervals(period)
    assert monday == (datetime(2026, 3, 30, 7, tzinfo=UTC), datetime(2026, 3, 30, 15, tzinfo=UTC))
    assert berlin.is_working(datetime(2026, 3, 30, 7, tzinfo=UTC))
    assert not berlin.is_working(datetime(2026, 3, 30, 15, tzinfo=UTC))
    with pytest.raises(InvalidInput, match="working_hours"):
        Clock.parse("19:00-08:00", "Asia/Baku")
    with pytest.raises(InvalidInput, match="time zone"):
        Clock.parse("08:00-19:00", "Mars/Olympus")
    with pytest.raises(InvalidInput, match="since"):
        Period.of(datetime(2026, 3, 2), datetime(2026, 3, 1), BAKU)
    default = Period.of(None, None, BAKU, now=datetime(2026, 3, 31, tzinfo=UTC))
    assert default.until - default.since == timedelta(days=30)
