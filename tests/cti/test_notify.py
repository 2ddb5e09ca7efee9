"""Operators told of sightings and new indicators through the outbox, by sector and TLP, with
the minimum; subscriptions kept by the CERT. Nothing leaves the machine (the outbox holds)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.bootstrap import operator_principal, trail
from qalxan.cti import hunt, subscriptions
from qalxan.cti.correlate import correlate_incident
from qalxan.cti.notify import may_leave
from qalxan.cti.sectors import sectors
from qalxan.cti.subscriptions import Draft
from qalxan.errors import Forbidden, InvalidInput
from qalxan.outbox.tables import OutboxRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory, transaction
from tests.conftest import ROOT
from tests.cti.correlation_support import indicator, put, report
from tests.people import Person, load_bundled, make_person

PATTERN = "[domain-name:value = 'update.evil.az']"
NARRATIVE = "Operator Ilham saw the HMI fetch update[.]evil[.]az at the compressor station."


@pytest.fixture
def police(engine: Engine, settings: Settings) -> Person:
    return make_person(
        engine, settings, "police", "agency-police", ["duty_officer"], with_key=False
    )


@pytest.fixture
def cert(engine: Engine, settings: Settings) -> Context:
    person = make_person(engine, settings, "cert", "agency-ess", ["cert_analyst"], with_key=False)
    return person.ctx(engine, settings)


Subscribe = Callable[..., str]


@pytest.fixture
def subscribe(cert: Context) -> Subscribe:
    def make(operator: str, sectors: tuple[str, ...], max_tlp: str, channel: str = "email") -> str:
        address = (
            f"https://{operator}.example.az/hook" if channel == "webhook" else f"soc@{operator}.az"
        )
        return subscriptions.create(cert, Draft(operator, sectors, channel, address, max_tlp)).id

    return make


def outbox(engine: Engine) -> list[OutboxRow]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.address)))


def correlate(engine: Engine, incident_id: str) -> None:
    with transaction(engine) as session:
        correlate_incident(session, load_bundled(), incident_id, "pytest")


def test_a_sighting_goes_to_the_sectors_subscribers_within_their_tlp(
    engine: Engine, settings: Settings, police: Person, subscribe: Subscribe
) -> None:
    ioc = indicator(PATTERN, name="Fake updater", labels=["sector:energy"])
    put(engine, ioc)
    green = subscribe("azerenerji", ("energy",), "GREEN")
    subscribe("clearonly", ("energy",), "CLEAR")  # GREEN is above what it accepts
    subscribe("bank", ("finance",), "AMBER")  # not its sector
    hook = subscribe("socar", ("energy", "transport"), "AMBER", "webhook")
    stored = report(engine, settings, police, NARRATIVE, tlp="GREEN")
    correlate(engine, stored.incident_id)
    sent = outbox(engine)
    assert {m.meta["subscription"] for m in sent} == {green, hook}
    mail = next(m for m in sent if m.channel == "email")
    assert mail.tlp == "GREEN" and mail.classification == 0
    assert mail.subject.startswith("[TLP:GREEN]")
    assert PATTERN in mail.body and ioc["id"] in mail.body and "/cti/objects/" in mail.body
    for word in ("Ilham", "HMI", "compressor", "evil[.]az"):
        assert word not in mail.body  # never the report's words
    posted = json.loads(next(m for m in sent if m.channel == "webhook").body)
    assert posted["tlp"] == "TLP:GREEN" and posted["sectors"] == ["energy"]
    assert posted["indicator"] == {"id": ioc["id"], "name": "Fake updater", "pattern": PATTERN}
    correlate(engine, stored.incident_id)
    assert len(outbox(engine)) == 2  # told once


def test_the_sector_can_come_from_the_reports_infrastructure(
    engine: Engine, settings: Settings, police: Person, subscribe: Subscribe
) -> None:
    put(engine, indicator(PATTERN))  # no sector label
    subscribe("btc", ("energy",), "GREEN")
    stored = report(engine, settings, police, NARRATIVE, tlp="GREEN", infrastructure="infra-btc")
    correlate(engine, stored.incident_id)
    assert [m.address for m in outbox(engine)] == ["soc@btc.az"]


@pytest.mark.parametrize(
    ("indicator_tlp", "report_tlp", "classification"),
    [
        ("GREEN", "AMBER", "unclassified"),  # the sighting is AMBER: above the subscriber's GREEN
        ("RED", "GREEN", "unclassified"),  # RED never leaves
        (None, "GREEN", "unclassified"),  # an unmarked indicator never leaves
        ("GREEN", "GREEN", "restricted"),  # nor anything classified
    ],
)
def test_what_its_marking_keeps_in_never_goes_out(
    engine: Engine,
    settings: Settings,
    police: Person,
    subscribe: Subscribe,
    indicator_tlp: str | None,
    report_tlp: str,
    classification: str,
) -> None:
    put(engine, indicator(PATTERN, tlp=indicator_tlp, labels=["energy"]))
    subscribe("azerenerji", ("energy",), "GREEN")
    stored = report(
        engine, settings, police, NARRATIVE, tlp=report_tlp, classification=classification
    )
    correlate(engine, stored.incident_id)
    assert outbox(engine) == []


def test_may_leave_follows_the_tlp_order() -> None:
    assert may_leave("CLEAR", 0, "GREEN") and may_leave("AMBER", 0, "AMBER+STRICT")
    assert not may_leave("AMBER+STRICT", 0, "AMBER")
    assert not may_leave("RED", 0, "AMBER+STRICT")
    assert not may_leave(None, 0, "AMBER")
    assert not may_leave("GREEN", 1, "AMBER")


def test_a_new_indicator_for_a_sector_is_announced_once_by_the_pass(
    engine: Engine, settings: Settings, subscribe: Subscribe
) -> None:
    subscribe("railways", ("transport",), "GREEN")
    subscribe("bank", ("finance",), "GREEN")
    ioc = indicator("[ipv4-addr:value = '203.0.113.50']", labels=["transportation"])
    put(engine, ioc)
    system = Context(
        replace(operator_principal(settings, "system:cti-correlate"), via="system"),
        trail(settings, engine),
    )
    now = datetime.now(UTC)  # not the module's NOW: a long test session may be past it
    done = hunt.run(system, load_bundled(), now=now + timedelta(minutes=5))
    assert done.new_indicators == 1 and done.notices == 1
    (message,) = outbox(engine)
    assert message.address == "soc@railways.az" and message.meta["indicator"] == ioc["id"]
    assert "new indicator" in message.subject
    hunt.run(system, load_bundled(), now=now + timedelta(minutes=10))
    assert len(outbox(engine)) == 1


def test_only_the_cert_keeps_subscriptions_and_every_change_is_audited(
    engine: Engine, settings: Settings, cert: Context, police: Person, subscribe: Subscribe
) -> None:
    with pytest.raises(Forbidden):
        subscriptions.listing(police.ctx(engine, settings))
    analyst = make_person(engine, settings, "analyst", "agency-ess", ["analyst"], with_key=False)
    with pytest.raises(Forbidden):  # cti:read only
        subscriptions.create(
            analyst.ctx(engine, settings), Draft("x", ("energy",), "email", "a@b.az")
        )
    for draft, field in (
        (Draft("x", ("energy",), "email", "a@b.az", "RED"), "max_tlp"),
        (Draft("x", ("space",), "email", "a@b.az"), "sectors"),
        (Draft("x", ("energy",), "sms", "+994501234567"), "channel"),
        (Draft("x", ("energy",), "webhook", "ftp://x.az"), "address"),
        (Draft("x", ("energy",), "email", "not an address"), "address"),
    ):
        with pytest.raises(InvalidInput) as caught:
            subscriptions.create(cert, draft)
        assert caught.value.field == field
    kept = subscribe("azerenerji", ("Energy", "energy", "water"), "AMBER")
    (row,) = subscriptions.listing(cert)
    assert row.id == kept and row.sectors == ["energy", "water"]
    subscriptions.deactivate(cert, kept)
    assert subscriptions.listing(cert) == []
    assert [r.id for r in subscriptions.listing(cert, active_only=False)] == [kept]
    with session_factory(engine)() as session:
        audited = session.execute(
            select(AuditRow.action, AuditRow.outcome).where(
                AuditRow.record_type == "cti_subscription"
            )
        ).all()
    created = sorted(outcome for action, outcome in audited if action.endswith(".create"))
    assert created == ["denied", "invalid", "invalid", "invalid", "invalid", "invalid", "success"]
    assert ("cti_subscription.deactivate", "success") in audited


def test_a_deactivated_subscription_hears_nothing(
    engine: Engine, settings: Settings, police: Person, cert: Context, subscribe: Subscribe
) -> None:
    put(engine, indicator(PATTERN, labels=["energy"]))
    subscriptions.deactivate(cert, subscribe("azerenerji", ("energy",), "GREEN"))
    stored = report(engine, settings, police, NARRATIVE, tlp="GREEN")
    correlate(engine, stored.incident_id)
    assert outbox(engine) == []


def test_every_sector_is_documented() -> None:
    text = (ROOT / "docs" / "cti-correlation.md").read_text("utf-8")
    assert [s for s in sectors().ids() if f"| `{s}` |" not in text] == []
