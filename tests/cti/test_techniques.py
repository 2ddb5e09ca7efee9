"""Incidents linked to ATT&CK techniques, and suggestions that explain themselves."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.policy import Hidden
from qalxan.access.tables import AuditRow
from qalxan.cti import incident_links, techniques
from qalxan.cti.tables import CtiLinkRow
from qalxan.errors import Forbidden, InvalidInput, NotFound
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.conftest import SHARED
from tests.cti.correlation_support import CREATED, put, report
from tests.people import Person, make_person

ICS = SHARED / "data" / "cti" / "attack" / "ics-attack-18.1.json"


def technique(attack_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "attack-pattern",
        "spec_version": "2.1",
        "id": f"attack-pattern--{uuid.uuid4()}",
        "created": CREATED,
        "modified": CREATED,
        "name": name,
        "external_references": [
            {"source_name": "mitre-ics-attack", "external_id": attack_id},
        ],
        **extra,
    }


@pytest.fixture
def police(engine: Engine, settings: Settings) -> Person:
    return make_person(
        engine, settings, "police", "agency-police", ["duty_officer"], with_key=False
    )


@pytest.fixture
def cert(engine: Engine, settings: Settings) -> Context:
    person = make_person(engine, settings, "cert", "agency-ess", ["cert_analyst"], with_key=False)
    return person.ctx(engine, settings)


@pytest.fixture
def catalogue(engine: Engine) -> dict[str, dict[str, Any]]:
    objects = {
        "firmware": technique("T0800", "Activate Firmware Update Mode"),
        "spearphishing": technique("T0865", "Spearphishing Attachment"),
        "masquerading": technique("T0849", "Masquerading"),
        "deprecated": technique("T0999", "Alarm Suppression", x_mitre_deprecated=True),
    }
    put(engine, *objects.values())
    return objects


def test_linking_a_technique_is_idempotent_listed_and_undone(
    engine: Engine, settings: Settings, police: Person, cert: Context, catalogue: dict[str, Any]
) -> None:
    stored = report(engine, settings, police, "PLC firmware was replaced at the substation.")
    (found,) = techniques.link(cert, stored.incident_id, "t0800")
    assert found.stix_id == catalogue["firmware"]["id"]
    techniques.link(cert, stored.incident_id, "T0800")
    (link,) = incident_links.links(cert, stored.incident_id)
    shown = incident_links.link_out(link)
    assert shown["kind"] == "technique" and shown["attack_id"] == "T0800"
    assert shown["name"] == "Activate Firmware Update Mode" and shown["readable"]
    # The reporting agency sees the link; not the technique's content (it has no cti:read).
    (seen_by_police,) = incident_links.links(police.ctx(engine, settings), stored.incident_id)
    assert seen_by_police.obj is None
    assert techniques.unlink(cert, stored.incident_id, "T0800") == 1
    assert techniques.unlink(cert, stored.incident_id, "T0800") == 0
    with session_factory(engine)() as session:
        assert session.scalars(select(CtiLinkRow)).all() == []
        actions = set(session.scalars(select(AuditRow.action).where(AuditRow.action.like("cti.%"))))
    assert {"cti.technique.link", "cti.technique.unlink", "cti.links.read"} <= actions


def test_unknown_malformed_or_deprecated_ids_are_refused(
    engine: Engine, settings: Settings, police: Person, cert: Context, catalogue: dict[str, Any]
) -> None:
    stored = report(engine, settings, police, "An intrusion at the substation.")
    with pytest.raises(NotFound):
        techniques.link(cert, stored.incident_id, "T0801")
    with pytest.raises(NotFound):
        techniques.link(cert, stored.incident_id, "T0999")  # deprecated
    with pytest.raises(InvalidInput):
        techniques.link(cert, stored.incident_id, "phishing")


def test_who_may_link(
    engine: Engine, settings: Settings, police: Person, cert: Context, catalogue: dict[str, Any]
) -> None:
    stored = report(engine, settings, police, "An intrusion at the substation.")
    with pytest.raises(Forbidden):  # no cti:create
        techniques.link(police.ctx(engine, settings), stored.incident_id, "T0800")
    red = report(engine, settings, police, "A secret intrusion.", tlp="RED", lat=41.0, lon=45.0)
    with pytest.raises(Hidden):  # not shared to the CERT: it does not exist for it
        techniques.link(cert, red.incident_id, "T0800")


def test_suggestions_explain_each_reason(
    engine: Engine, settings: Settings, police: Person, cert: Context, catalogue: dict[str, Any]
) -> None:
    narrative = (
        "A spearphishing   attachment reached the engineer; the implant then used T0800 while "
        "masquerading as the vendor's updater. Alarm suppression was not seen."
    )
    stored = report(engine, settings, police, narrative)
    techniques.link(cert, stored.incident_id, "T0849")
    found = {s.technique.attack_id: s for s in techniques.suggest(cert, stored.incident_id)}
    assert list(found) == ["T0800", "T0865", "T0849"]  # best first; deprecated never
    assert found["T0800"].score == 1.0
    assert found["T0800"].reasons == ["a report names the technique id T0800 (+1.0)"]
    assert found["T0865"].score == 0.6
    assert "'Spearphishing Attachment'" in found["T0865"].reasons[0]
    assert found["T0849"].score == 0.3 and found["T0849"].linked


def test_the_ics_attack_bundle_links_and_suggests(
    engine: Engine, settings: Settings, police: Person, cert: Context
) -> None:
    if not ICS.exists():
        pytest.skip(f"the ATT&CK bundles are not at {ICS}")
    put(engine, *json.loads(ICS.read_text("utf-8"))["objects"])
    stored = report(
        engine, settings, police, "They used Activate Firmware Update Mode on the relays."
    )
    (found,) = techniques.link(cert, stored.incident_id, "T0800")
    assert found.name == "Activate Firmware Update Mode"
    suggested = techniques.suggest(cert, stored.incident_id)
    assert suggested[0].technique.attack_id == "T0800" and suggested[0].linked
