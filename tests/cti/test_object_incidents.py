"""The incidents linked to one STIX object (sightings of an indicator, uses of a technique):
only those the reader may read, with their titles, in one audited read."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from qalxan.access.policy import Hidden
from qalxan.cti import incident_links, ingest, markings, techniques
from qalxan.doctrine.loader import load_bundled
from qalxan.errors import Forbidden
from qalxan.intake.tables import IncidentRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.cti.correlation_support import indicator, report
from tests.cti.stix_support import audits, stix_id
from tests.people import Person, make_person

GREEN = markings.tlp_id("GREEN")
ADDRESS = "198.51.100.44"
TECHNIQUE: dict[str, Any] = {
    "type": "attack-pattern",
    "spec_version": "2.1",
    "id": stix_id("attack-pattern", "t0865"),
    "created": "2026-01-05T10:00:00.000Z",
    "modified": "2026-01-05T10:00:00.000Z",
    "name": "Spearphishing Attachment",
    "external_references": [{"source_name": "mitre-ics-attack", "external_id": "T0865"}],
    "object_marking_refs": [GREEN],
}


@pytest.fixture
def cert(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "cert", "agency-ess", ["cert_analyst"], with_key=False)


def titles(engine: Engine) -> dict[str, str]:
    with transaction(engine) as session:
        return {
            str(i): str(t) for i, t in session.execute(select(IncidentRow.id, IncidentRow.title))
        }


def test_an_objects_incidents_are_the_ones_the_reader_may_read(
    engine: Engine, settings: Settings, cert: Person
) -> None:
    ctx = cert.ctx(engine, settings)
    ioc = indicator(f"[ipv4-addr:value = '{ADDRESS}']", stix_id=stix_id("indicator", "c2"))
    ingest.import_objects(ctx, [TECHNIQUE, ioc])
    narrative = f"The workstation beaconed to {ADDRESS} after a spearphishing attachment."
    open_one = report(engine, settings, cert, narrative, tlp="GREEN")
    # Elsewhere and another day: an incident of its own.
    secret = report(
        engine,
        settings,
        cert,
        "The historian server of the plant was wiped.",
        classification="secret",
        hours_ago=50,
        lat=40.6828,
        lon=46.3606,
    )
    assert secret.incident_id != open_one.incident_id
    for incident in (open_one, secret):
        techniques.link(ctx, incident.incident_id, "T0865")
    incident_links.correlate_now(ctx, load_bundled(), open_one.incident_id)
    named = titles(engine)

    links = incident_links.of_object(ctx, TECHNIQUE["id"])
    assert sorted((link.row.incident_id, link.row.kind, link.title) for link in links) == sorted(
        (i.incident_id, "technique", named[i.incident_id]) for i in (open_one, secret)
    )
    (sighted,) = incident_links.of_object(ctx, ioc["id"])
    assert (sighted.row.kind, sighted.row.incident_id) == ("sighting", open_one.incident_id)
    assert sighted.row.sighting_id is not None and sighted.title == named[open_one.incident_id]
    # Cleared only for official use: the SECRET incident is left out, not counted.
    low = make_person(
        engine, settings, "low", "agency-ess", ["cert_analyst"], "restricted", with_key=False
    )
    low_ctx = low.ctx(engine, settings)
    assert [
        link.row.incident_id for link in incident_links.of_object(low_ctx, TECHNIQUE["id"])
    ] == [open_one.incident_id]
    reads = [a for a in audits(engine, "cti.links.read") if a.record_id == TECHNIQUE["id"]]
    assert [r.detail["incidents"] for r in reads] == [
        sorted([open_one.incident_id, secret.incident_id]),
        [open_one.incident_id],
    ]
    assert {r.record_type for r in reads} == {"cti"}


def test_an_object_out_of_reach_has_no_incidents_to_show(
    engine: Engine, settings: Settings, cert: Person
) -> None:
    secret = {**TECHNIQUE, "object_marking_refs": [GREEN, markings.classification_id("secret")]}
    ingest.import_objects(cert.ctx(engine, settings), [secret])
    low = make_person(
        engine, settings, "low", "agency-ess", ["cert_analyst"], "restricted", with_key=False
    )
    with pytest.raises(Hidden):
        incident_links.of_object(low.ctx(engine, settings), TECHNIQUE["id"])
    outsider = make_person(engine, settings, "screen", "agency-sbs", ["screening_officer"])
    with pytest.raises(Forbidden):
        incident_links.of_object(outsider.ctx(engine, settings), TECHNIQUE["id"])
    assert [a.outcome for a in audits(engine, "cti.links.read")] == ["denied", "denied"]
