"""Early warnings end to end: incidents through the real intake, a quiet history and then a
surge, scanned from the rollups; each warning stored once, explained, marked, routed to the
agencies of its threat and reviewed by the owning agency's analysts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from qalxan.access.tables import AuditRow, ShareRow
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound
from qalxan.intake import dedup, feed
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.draft import Draft
from qalxan.intake.submit import submit
from qalxan.picture import series, warning_review, warnings
from qalxan.picture.tables import WarningRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory, transaction
from tests.people import Person, load_bundled, make_person, operator

# A Monday: the week before it is the last complete one, and the surge's.
TODAY = series.period_start(datetime.now(UTC).date(), "week")
SURGE = TODAY - timedelta(days=7)
QUIET_WEEKS = 9
SMUGGLING = "threat-3-5"  # lead: State Border Service; never: Emergency Situations
HAZARDS = "direction-4-3-10"
TBILISI = (41.7151, 44.8271)
# Every report its own incident: the counts are what the test says.
APART = dedup.Rules(window_hours=0.01)


@dataclass(frozen=True)
class World:
    reporter: Person
    incidents: int


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def send(engine: Engine, settings: Settings, who: Person, when: datetime, **fields: Any) -> None:
    kind = fields.pop("event_type")
    draft = Draft(f"{kind} reported, case {when.isoformat()}", when, event_type=kind, **fields)
    submit(who.ctx(engine, settings), load_bundled(), RuleClassifier(), draft, APART)


def build(engine: Engine, settings: Settings) -> World:
    """Nine quiet weeks (smuggling: one a week in Tovuz, three in Baku), then the week of the
    surge: eight in Tovuz (one of them confidential), three in Baku, five in Georgia, six
    peaceful rallies in Baku, and three floods in Qabala on one day."""
    who = make_person(engine, settings, "reporter", "agency-police", ["duty_officer"])
    sent = 0

    def report(when: datetime, **fields: Any) -> None:
        nonlocal sent
        send(engine, settings, who, when, **fields)
        sent += 1

    for week in range(QUIET_WEEKS + 1, 1, -1):
        monday = TODAY - timedelta(days=7 * week)
        report(at(monday + timedelta(days=2), 10), event_type="smuggling", admin1="AZ-TOV")
        for day in (1, 3, 5):
            report(at(monday + timedelta(days=day), 9), event_type="smuggling", admin1="AZ-BA")
    for n in range(8):
        secret = {"classification": "confidential"} if n == 4 else {}
        when = at(SURGE + timedelta(days=n % 7), 8 + n)
        report(when, event_type="smuggling", admin1="AZ-TOV", **secret)
    for day in (1, 3, 5):
        report(at(SURGE + timedelta(days=day), 9), event_type="smuggling", admin1="AZ-BA")
    for n in range(5):
        when = at(SURGE + timedelta(days=n), 12)
        report(when, event_type="smuggling", lat=TBILISI[0], lon=TBILISI[1], country="GE")
    for n in range(6):
        report(at(SURGE + timedelta(days=n), 15), event_type="peaceful-protest", admin1="AZ-BA")
    for hour in (6, 7, 8):
        report(at(TODAY - timedelta(days=3), hour), event_type="flood", admin1="AZ-QAB")
    return World(who, sent)


@pytest.fixture
def world(engine: Engine, settings: Settings) -> World:
    return build(engine, settings)


def analyst(engine: Engine, settings: Settings, name: str, agency: str, level: str) -> Person:
    return make_person(engine, settings, name, agency, ["analyst"], level)


def keys(rows: list[WarningRow]) -> set[tuple[str, str, str]]:
    return {(w.threat, w.region, w.scale) for w in rows}


def test_series_are_read_from_the_rollups(engine: Engine, world: World) -> None:
    start = TODAY - timedelta(days=7 * (QUIET_WEEKS + 1))
    with session_factory(engine)() as session:
        tovuz = series.read(session, SMUGGLING, "AZ-TOV", "week", start, SURGE, 4)
        assert tovuz.starts[0] == start and tovuz.starts[-1] == SURGE
        assert tovuz.counts.tolist() == [1] * QUIET_WEEKS + [8]
        assert tovuz.classification(0, QUIET_WEEKS - 1) == 0
        assert tovuz.classification(QUIET_WEEKS, QUIET_WEEKS) == 2
        # Below the confidential incident's level, it is not counted.
        low = series.read(session, SMUGGLING, "AZ-TOV", "week", start, SURGE, 1)
        assert low.counts.tolist()[-1] == 7
        # Nationally: Tovuz and Baku, not Georgia.
        whole = series.read(session, SMUGGLING, series.NATIONAL, "week", start, SURGE, 4)
        assert whole.counts.tolist() == [4] * QUIET_WEEKS + [11]
        days = series.read(session, SMUGGLING, "GE", "day", SURGE, SURGE + timedelta(days=6), 4)
        assert days.counts.tolist() == [1, 1, 1, 1, 1, 0, 0]
        every = series.read_all(session, SMUGGLING, "week", start, SURGE, 4)
        present = series.present(session, SURGE, TODAY, 4)
    assert set(every) == {"", "AZ-TOV", "AZ-BA", "GE"}
    assert every[""].counts.tolist() == whole.counts.tolist()
    assert every["AZ-TOV"].counts.tolist() == tovuz.counts.tolist()
    assert (SMUGGLING, "") in present and (SMUGGLING, "GE") in present
    assert all(threat for threat, _ in present)  # the rallies are no threat


def test_a_surge_warns_once_explained_marked_and_routed(
    engine: Engine, settings: Settings, world: World
) -> None:
    doctrine = load_bundled()
    owner = settings.operator_agency
    raised = warnings.scan(engine, TODAY, doctrine, owner)
    assert keys(raised) == {
        (SMUGGLING, "AZ-TOV", "week"),
        # Abroad: a series of its own, never part of the national one.
        (SMUGGLING, "GE", "week"),
        # The floods stand out in Qabala and nationally; the rallies raise nothing.
        (HAZARDS, "AZ-QAB", "day"),
        (HAZARDS, "", "day"),
    }
    (tovuz,) = [w for w in raised if w.region == "AZ-TOV"]
    assert tovuz.period_start == SURGE and tovuz.method == "surge"
    assert tovuz.observed == 8 and tovuz.expected == pytest.approx(8.5 / 8)
    assert tovuz.probability < 1e-3
    assert "8 incidents" in tovuz.explanation and "1.1 expected" in tovuz.explanation
    assert "p = 1.6e-05" in tovuz.explanation and "AZ-TOV" in tovuz.explanation
    assert tovuz.classification == 2  # its confidential incident
    assert tovuz.tlp == "AMBER" and tovuz.owner_agency == owner and tovuz.status == "open"
    (quake,) = [w for w in raised if w.region == ""]
    assert quake.classification == 0 and quake.scale == "day"

    # Again, and after a crash (the same signals stored twice in one go): nothing new.
    assert warnings.scan(engine, TODAY, doctrine, owner) == []
    assert warnings.run(operator(engine, settings), doctrine, TODAY) == []
    with transaction(engine) as session:
        found = warnings.find(session, TODAY)
        assert len(found) == 4
        assert warnings.store(session, found, doctrine, owner, datetime.now(UTC)) == []
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(WarningRow)) == 4
        shares = session.scalars(
            select(ShareRow).where(ShareRow.record_id == tovuz.id, ShareRow.revoked_at.is_(None))
        ).all()
    routed = {s.agency_id: s.reason for s in shares}
    assert routed["agency-sbs"].startswith("lead agency for 3.5")
    assert routed["agency-scc"].startswith("supporting agency")
    assert "agency-mes" not in routed and owner not in routed


def test_who_sees_a_warning(engine: Engine, settings: Settings, world: World) -> None:
    raised = warnings.scan(engine, TODAY, load_bundled(), settings.operator_agency)
    (tovuz,) = [w for w in raised if w.region == "AZ-TOV"]
    lead = analyst(engine, settings, "sbs", "agency-sbs", "secret")
    low = analyst(engine, settings, "sbs-low", "agency-sbs", "restricted")
    other = analyst(engine, settings, "mes", "agency-mes", "top_secret")
    own = analyst(engine, settings, "own", settings.operator_agency, "secret")

    def listed(who: Person, **filters: Any) -> set[str]:
        page = warning_review.listing(who.ctx(engine, settings), **filters)
        return {w.id for w in page.rows}

    assert tovuz.id in listed(lead, region="AZ-TOV", threat=SMUGGLING, status="open")
    assert warning_review.get(lead.ctx(engine, settings), tovuz.id)[0].observed == 8
    assert tovuz.id not in listed(low)  # below its classification
    assert listed(other) == {w.id for w in raised if w.threat == HAZARDS}  # routed hazards
    with pytest.raises(NotFound):
        warning_review.get(other.ctx(engine, settings), tovuz.id)
    with pytest.raises(NotFound):
        warning_review.get(low.ctx(engine, settings), tovuz.id)
    assert listed(own) == {w.id for w in raised}
    assert listed(own, region="national") == {w.id for w in raised if w.region == ""}
    with pytest.raises(Forbidden):  # a duty officer has no assessment:read
        warning_review.listing(world.reporter.ctx(engine, settings))

    # The live feed tells the lead agency's analysts, not the others.
    def heard(who: Person) -> set[str]:
        items = feed.since(who.ctx(engine, settings), 0)
        return {i["record_id"] for i in items if i["kind"] == "warning.raised"}

    assert tovuz.id in heard(lead)
    assert tovuz.id not in heard(other) and tovuz.id not in heard(low)


def test_an_analyst_of_the_owning_agency_closes_a_warning(
    engine: Engine, settings: Settings, world: World
) -> None:
    raised = warnings.scan(engine, TODAY, load_bundled(), settings.operator_agency)
    (target,) = [w.id for w in raised if w.region == "AZ-TOV"]
    own = analyst(engine, settings, "own", settings.operator_agency, "top_secret")
    lead = analyst(engine, settings, "sbs", "agency-sbs", "top_secret")
    with pytest.raises(Forbidden):  # routed to read, not to change
        warning_review.close(lead.ctx(engine, settings), target, "dismissed", "not ours")
    ctx = own.ctx(engine, settings)
    with pytest.raises(InvalidInput):
        warning_review.close(ctx, target, "open", "still open")
    with pytest.raises(InvalidInput):
        warning_review.close(ctx, target, "acknowledged", "  ")
    closed = warning_review.close(ctx, target, "acknowledged", "border units informed")
    assert closed.status == "acknowledged" and closed.closed_by == "own"
    assert closed.close_note == "border units informed" and closed.closed_at is not None
    with pytest.raises(Conflict):
        warning_review.close(ctx, target, "dismissed", "changed my mind")
    assert target not in {w.id for w in warning_review.listing(ctx, status="open").rows}
    with session_factory(engine)() as session:
        outcomes = session.execute(
            select(AuditRow.outcome, AuditRow.actor_name)
            .where(AuditRow.action == "warning.close", AuditRow.record_id == target)
            .order_by(AuditRow.seq)
        ).all()
        created = session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "warning.create")
        )
    assert [o for o, _ in outcomes] == ["denied", "invalid", "invalid", "success", "invalid"]
    assert created == 0  # scan() is the core's; run() is the audited one


def test_the_scan_as_the_platform_runs_it_is_audited(
    engine: Engine, settings: Settings, world: World
) -> None:
    raised = warnings.run(operator(engine, settings), load_bundled(), TODAY)
    assert len(raised) == 4
    with session_factory(engine)() as session:
        detail = session.scalar(select(AuditRow.detail).where(AuditRow.action == "warning.create"))
    assert detail is not None and sorted(detail["raised"]) == sorted(w.id for w in raised)


def test_nothing_warns_before_the_surge(
    engine: Engine, settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = settings.operator_agency
    # As of the surge's Monday, every period looked at was quiet; in the first weeks of the
    # picture there is no history to compare with.
    for weeks in (1, 4, 8):
        assert warnings.scan(engine, TODAY - timedelta(days=7 * weeks), load_bundled(), owner) == []
    # Were the weeks before the picture's first day read as quiet, its first weeks would warn.
    monkeypatch.setattr(series, "first_day", lambda db: date(2000, 1, 3))
    early = warnings.scan(engine, TODAY - timedelta(days=56), load_bundled(), owner)
    assert (SMUGGLING, "AZ-BA", "week") in keys(early)
