"""The CTI correlation API: ``/api/v1/cti/...`` over HTTP, with real API keys."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qalxan.settings import Settings
from tests.conftest import ROOT
from tests.cti.correlation_support import CREATED, indicator, put, report
from tests.people import Person, make_person

API = "/api/v1/cti"


@pytest.fixture
def police(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "police", "agency-police", ["duty_officer"])


@pytest.fixture
def cert(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "cert", "agency-ess", ["cert_analyst"])


def test_correlate_now_and_read_the_links(
    client: TestClient, engine: Engine, settings: Settings, police: Person, cert: Person
) -> None:
    ioc = indicator("[file:hashes.MD5 = '" + "ab" * 16 + "']", name="Dropper")
    put(engine, ioc)
    stored = report(engine, settings, police, "The dropper's MD5 is " + "AB" * 16 + ".")
    url = f"{API}/incidents/{stored.incident_id}"
    assert client.post(f"{url}/correlate", headers=police.headers).status_code == 403
    answer = client.post(f"{url}/correlate", headers=cert.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    (match,) = body["matches"]
    assert match["indicator"] == ioc["id"] and match["name"] == "Dropper"
    assert match["explanation"] == [
        f"file:hashes.MD5 = '{'ab' * 16}' held: the report shows '{'AB' * 16}'"
    ]
    assert body["linked"] == [ioc["id"]] and len(body["sightings_stored"]) == 1
    again = client.post(f"{url}/correlate", headers=cert.headers).json()
    assert again["linked"] == [] and again["sightings_stored"] == []
    links = client.get(f"{url}/links", headers=police.headers).json()["results"]
    assert [(x["kind"], x["stix_id"]) for x in links] == [("sighting", ioc["id"])]
    missing = client.post(
        f"{API}/incidents/{uuid.uuid4().hex[:24]}/correlate", headers=cert.headers
    )
    assert missing.status_code == 404


def test_techniques_link_unlink_and_suggest(
    client: TestClient, engine: Engine, settings: Settings, police: Person, cert: Person
) -> None:
    put(
        engine,
        {
            "type": "attack-pattern",
            "spec_version": "2.1",
            "id": f"attack-pattern--{uuid.uuid4()}",
            "created": CREATED,
            "modified": CREATED,
            "name": "Modify Parameter",
            "external_references": [{"source_name": "mitre-ics-attack", "external_id": "T0836"}],
        },
    )
    stored = report(engine, settings, police, "Someone tried to modify parameter set points.")
    url = f"{API}/incidents/{stored.incident_id}/techniques"
    suggestions = client.get(f"{url}/suggestions", headers=cert.headers).json()["results"]
    assert [(s["attack_id"], s["score"], s["linked"]) for s in suggestions] == [
        ("T0836", 0.6, False)
    ]
    assert suggestions[0]["reasons"] == [
        "a report says 'Modify Parameter', the technique's name (+0.6)"
    ]
    linked = client.put(f"{url}/T0836", headers=cert.headers)
    assert (
        linked.status_code == 200 and linked.json()["techniques"][0]["name"] == "Modify Parameter"
    )
    assert client.put(f"{url}/T0837", headers=cert.headers).status_code == 404
    assert client.put(f"{url}/phish", headers=cert.headers).status_code == 422
    assert client.delete(f"{url}/T0836", headers=cert.headers).json() == {"removed": 1}


def test_subscriptions_crud(client: TestClient, police: Person, cert: Person) -> None:
    new = {
        "operator": "Azerenerji",
        "sectors": ["energy"],
        "channel": "webhook",
        "address": "https://soc.azerenerji.example/hook",
        "max_tlp": "amber",
    }
    assert client.post(f"{API}/subscriptions", json=new, headers=police.headers).status_code == 403
    bad = client.post(f"{API}/subscriptions", json={**new, "max_tlp": "RED"}, headers=cert.headers)
    assert bad.status_code == 422
    made = client.post(f"{API}/subscriptions", json=new, headers=cert.headers)
    assert made.status_code == 201, made.text
    subscription = made.json()
    assert subscription["max_tlp"] == "AMBER" and subscription["active"]
    listed = client.get(f"{API}/subscriptions", headers=cert.headers).json()["results"]
    assert [s["id"] for s in listed] == [subscription["id"]]
    gone = client.delete(f"{API}/subscriptions/{subscription['id']}", headers=cert.headers)
    assert gone.status_code == 200 and not gone.json()["active"]
    assert client.get(f"{API}/subscriptions", headers=cert.headers).json()["results"] == []
    everything = client.get(
        f"{API}/subscriptions", params={"include_inactive": True}, headers=cert.headers
    )
    assert len(everything.json()["results"]) == 1
    assert client.delete(f"{API}/subscriptions/nosuch", headers=cert.headers).status_code == 404


def test_every_route_is_documented() -> None:
    from qalxan.web.routers import cti_api

    text = (ROOT / "docs" / "cti-correlation.md").read_text("utf-8")
    missing = []
    for route in cti_api.router.routes:
        path = f"/api/v1{route.path}".replace("{incident_id}", "{id}")  # type: ignore[attr-defined]
        path = path.replace("{subscription_id}", "{id}")
        for method in route.methods:  # type: ignore[attr-defined]
            if f"`{method} {path}" not in text:
                missing.append(f"{method} {path}")
    assert missing == []
