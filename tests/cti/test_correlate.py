"""Correlation of reports (made through the real intake) with indicators: sightings, links,
in-platform notices, idempotence, revocation and expiry, and the pass with its retro-hunt."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow, ShareRow
from qalxan.bootstrap import operator_principal, trail
from qalxan.cti import hunt, markings, sightings
from qalxan.cti.correlate import Outcome, correlate_incident
from qalxan.cti.tables import CtiLinkRow, CtiObjectRow, CtiObservableRow
from qalxan.intake import feed
from qalxan.intake.tables import FeedRow, IncidentEventRow, RoutingRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory, transaction
from tests.conftest import SHARED
from tests.cti.correlation_support import CERT, NOW, indicator, put, report
from tests.people import Person, load_bundled, make_person

IP_PATTERN = "[ipv4-addr:value = '198.51.100.7']"
NARRATIVE = "Malware on the SCADA workstation beaconed to 198[.]51[.]100[.]7 every minute."
SMUGGLING = "The smugglers' phones contacted 198[.]51[.]100[.]7 before the crossing."
OASIS = SHARED / "data" / "cti" / "stix" / "examples" / "indicator-for-c2-ip-address.json"


@pytest.fixture
def police(engine: Engine, settings: Settings) -> Person:
    return make_person(
        engine, settings, "police", "agency-police", ["duty_officer"], with_key=False
    )


def correlate(engine: Engine, incident_id: str) -> Outcome:
    with transaction(engine) as session:
        return correlate_incident(session, load_bundled(), incident_id, "pytest")


def system(engine: Engine, settings: Settings) -> Context:
    principal = replace(operator_principal(settings, "system:cti-correlate"), via="system")
    return Context(principal, trail(settings, engine))


def counts(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (CtiObjectRow, CtiLinkRow, FeedRow, RoutingRow, IncidentEventRow)
        }


def sighting_body(engine: Engine, stix_id: str) -> dict[str, Any]:
    with session_factory(engine)() as session:
        row = session.scalar(
            select(CtiObjectRow).where(CtiObjectRow.stix_id == stix_id, CtiObjectRow.latest)
        )
        assert row is not None
        assert row.owner_agency == CERT
        body: dict[str, Any] = json.loads(row.body)
        body["_tlp"] = row.tlp
        return body


def test_a_report_showing_an_indicator_is_sighted_linked_and_told(
    engine: Engine, settings: Settings, police: Person
) -> None:
    ioc = indicator(IP_PATTERN)
    put(engine, ioc)
    # Not a cyber incident: nothing routed it to the CERT before the match.
    stored = report(engine, settings, police, SMUGGLING, event_type="smuggling")
    outcome = correlate(engine, stored.incident_id)
    assert [m.indicator_id for m in outcome.matches] == [ioc["id"]]
    assert outcome.matches[0].explain() == [
        f"{IP_PATTERN[1:-1]} held: the report shows '198[.]51[.]100[.]7'"
    ]
    assert outcome.linked == [ioc["id"]]
    sighting_id = sightings.sighting_id(ioc["id"], stored.incident_id)
    body = sighting_body(engine, sighting_id)
    assert body["sighting_of_ref"] == ioc["id"]
    assert body["count"] == 1
    assert body["first_seen"] == body["last_seen"] == sightings.stamp(NOW - timedelta(hours=1))
    assert body["where_sighted_refs"] == [sightings.agency_identity_id("agency-police")]
    assert body["created_by_ref"] == markings.identity()["id"]
    assert body["_tlp"] == "AMBER"  # marked like the report
    with session_factory(engine)() as session:
        link = session.get(CtiLinkRow, (stored.incident_id, ioc["id"], "sighting"))
        assert link is not None and link.sighting_id == sighting_id
        assert link.observable == "198.51.100.7"
        route = session.scalar(
            select(RoutingRow).where(
                RoutingRow.incident_id == stored.incident_id, RoutingRow.agency_id == CERT
            )
        )
        assert route is not None and route.ack_due is not None
        assert route.role == "supporting"
        assert route.reasons == ["CTI: a report shows the indicator C2 address"]
        shared = session.scalars(
            select(ShareRow.agency_id).where(ShareRow.record_id == stored.incident_id)
        )
        assert CERT in set(shared)
        event = session.scalar(
            select(IncidentEventRow).where(IncidentEventRow.kind == "cti.sighting")
        )
        assert event is not None and event.detail["sighting"] == sighting_id
    # The reporting agency's dashboards hear of it through the live feed.
    kinds = [item["kind"] for item in feed.since(police.ctx(engine, settings), 0)]
    assert "incident.cti_sighting" in kinds


def test_a_cyber_incident_already_routed_to_the_cert_is_not_routed_twice(
    engine: Engine, settings: Settings, police: Person
) -> None:
    put(engine, indicator(IP_PATTERN))
    stored = report(engine, settings, police, NARRATIVE)
    correlate(engine, stored.incident_id)
    with session_factory(engine)() as session:
        roles = session.scalars(
            select(RoutingRow.role).where(
                RoutingRow.incident_id == stored.incident_id, RoutingRow.agency_id == CERT
            )
        )
        assert list(roles) == ["lead"]


def test_a_restricted_indicators_name_is_not_shown_to_incident_readers(
    engine: Engine, settings: Settings, police: Person
) -> None:
    ioc = indicator(IP_PATTERN, name="APT-X implant", tlp="AMBER")
    put(engine, ioc)
    stored = report(engine, settings, police, SMUGGLING, event_type="smuggling")
    correlate(engine, stored.incident_id)
    with session_factory(engine)() as session:
        event = session.scalar(
            select(IncidentEventRow).where(IncidentEventRow.kind == "cti.sighting")
        )
        reasons = session.scalar(select(RoutingRow.reasons).where(RoutingRow.agency_id == CERT))
    assert event is not None and event.detail["name"] == f"{ioc['id']} (name withheld: TLP:AMBER)"
    assert reasons is not None and "APT-X" not in reasons[0]


def test_correlating_again_creates_nothing(
    engine: Engine, settings: Settings, police: Person
) -> None:
    put(engine, indicator(IP_PATTERN))
    stored = report(engine, settings, police, NARRATIVE)
    correlate(engine, stored.incident_id)
    before = counts(engine)
    again = correlate(engine, stored.incident_id)
    assert len(again.matches) == 1
    assert again.sightings == [] and again.linked == [] and again.notices == 0
    assert counts(engine) == before


def test_another_report_of_the_incident_makes_a_newer_sighting_version(
    engine: Engine, settings: Settings, police: Person
) -> None:
    ioc = indicator(IP_PATTERN)
    put(engine, ioc)
    first = report(engine, settings, police, NARRATIVE, hours_ago=2)
    correlate(engine, first.incident_id)
    second = report(engine, settings, police, NARRATIVE, hours_ago=1.5)
    assert second.incident_id == first.incident_id, "the intake joins the same event"
    outcome = correlate(engine, first.incident_id)
    assert outcome.linked == []  # already linked: nobody is told twice
    body = sighting_body(engine, sightings.sighting_id(ioc["id"], first.incident_id))
    assert body["count"] == 2
    assert body["first_seen"] < body["last_seen"]
    assert body["modified"] > body["created"]


def test_a_revoked_or_expired_indicator_does_not_match(
    engine: Engine, settings: Settings, police: Person
) -> None:
    revoked = indicator("[domain-name:value = 'evil.example.com']")
    put(engine, revoked)
    put(engine, {**revoked, "modified": "2026-01-06T10:00:00.000Z", "revoked": True})
    observed = NOW - timedelta(hours=1)
    expired = indicator(
        "[domain-name:value = 'evil.example.com']",
        valid_until=sightings.stamp(observed - timedelta(minutes=1)),
    )
    valid = indicator(
        "[domain-name:value = 'evil.example.com']",
        valid_until=sightings.stamp(observed + timedelta(days=1)),
    )
    put(engine, expired, valid)
    stored = report(engine, settings, police, "Phishing pages on evil[.]example[.]com")
    outcome = correlate(engine, stored.incident_id)
    assert [m.indicator_id for m in outcome.matches] == [valid["id"]]


def test_a_network_indicator_matches_an_address_inside_it(
    engine: Engine, settings: Settings, police: Person
) -> None:
    ioc = indicator("[ipv4-addr:value ISSUBSET '203.0.113.0/24']")
    other = indicator("[ipv4-addr:value ISSUBSET '203.0.114.0/24']")
    put(engine, ioc, other)
    stored = report(engine, settings, police, "Scans from 203.0.113.77 hit the gateway")
    outcome = correlate(engine, stored.incident_id)
    assert [m.indicator_id for m in outcome.matches] == [ioc["id"]]


def test_an_indicator_version_is_indexed_once_and_only_indicators_are(engine: Engine) -> None:
    ioc = indicator(IP_PATTERN)
    put(engine, ioc, markings.identity())
    put(engine, ioc)  # stored already: nothing more indexed
    with session_factory(engine)() as session:
        rows = session.execute(select(CtiObservableRow.kind, CtiObservableRow.value)).all()
    assert rows == [("ipv4-addr", "198.51.100.7")]


def test_the_pass_correlates_new_reports_and_records_its_watermark(
    engine: Engine, settings: Settings, police: Person
) -> None:
    put(engine, indicator(IP_PATTERN))
    stored = report(engine, settings, police, NARRATIVE)
    done = hunt.run(system(engine, settings), load_bundled())
    assert stored.incident_id in done.incidents
    assert done.linked == 1
    with session_factory(engine)() as session:
        recorded = session.scalar(select(AuditRow).where(AuditRow.action == hunt.ACTION))
        assert recorded is not None and recorded.detail["linked"] == 1
    again = hunt.run(system(engine, settings), load_bundled())
    assert again.linked == 0 and again.sightings == 0


def test_the_retro_hunt_finds_earlier_reports_for_a_new_indicator(
    engine: Engine, settings: Settings, police: Person
) -> None:
    stored = report(engine, settings, police, "Exfiltration to hxxps://drop[.]evil[.]az/up")
    report(engine, settings, police, "A quiet night at the border post", lat=41.2, lon=46.6)
    # Run as if a little later, so that the reports' feed rows are past the settling time
    # (the clock now, not the module's NOW: a long test session may be past NOW + 5 minutes).
    now = datetime.now(UTC)
    first = hunt.run(system(engine, settings), load_bundled(), now=now + timedelta(minutes=5))
    assert len(first.incidents) == 2 and first.linked == 0
    put(engine, indicator("[url:value = 'https://drop.evil.az/up']"))
    later = hunt.run(system(engine, settings), load_bundled(), now=now + timedelta(minutes=10))
    assert later.new_indicators == 1
    assert later.incidents == [stored.incident_id]  # found by the retro-hunt, not the feed
    assert later.retro_incidents == 1
    assert later.linked == 1


def test_the_oasis_c2_indicator_is_sighted(
    engine: Engine, settings: Settings, police: Person
) -> None:
    if not OASIS.exists():
        pytest.skip(f"the OASIS examples are not at {OASIS}")
    objects = json.loads(OASIS.read_text("utf-8"))["objects"]
    put(engine, *objects)
    stored = report(engine, settings, police, "The implant called 10.0.0.0 repeatedly")
    outcome = correlate(engine, stored.incident_id)
    assert [m.indicator_id for m in outcome.matches] == [objects[0]["id"]]
