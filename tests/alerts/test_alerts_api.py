"""``/api/v1/alerts`` (the desk, signed in) and the public ``/alerts/feed.atom`` and CAP URLs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from lxml import etree  # type: ignore[import-untyped]
from pydantic import TypeAdapter
from sqlalchemy import Engine

from qalxan.alerts import parse_alert, read_feed, write_alert
from qalxan.alerts.desk import AlertForm
from qalxan.alerts.schema import cap_schema
from qalxan.alerts.xmldoc import parse_xml
from qalxan.settings import Settings
from tests.alerts.desk_shared import MES, audits, form, info
from tests.people import Person, make_person

FORM = TypeAdapter(AlertForm)
MISSING = "0" * 24


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    if field is not None:
        assert error["field"] == field, error
    return error


def body(draft: AlertForm | None = None) -> Any:
    return FORM.dump_python(draft or form(), mode="json")


@pytest.fixture
def people(engine: Engine, settings: Settings) -> dict[str, Person]:
    return {
        "author": make_person(engine, settings, "author", MES, ["emergency_manager"]),
        "approver": make_person(engine, settings, "approver", MES, ["emergency_manager"]),
        "officer": make_person(engine, settings, "officer", "agency-mia", ["duty_officer"]),
    }


def test_the_workflow_over_the_api(
    client: TestClient, engine: Engine, people: dict[str, Person]
) -> None:
    author, approver = people["author"].headers, people["approver"].headers
    made = ok(client.post("/api/v1/alerts", json=body(), headers=author), 201)
    alert_id = made["id"]
    assert (made["state"], made["msg_type"], made["cap_url"]) == ("draft", "Alert", None)
    one = ok(client.get(f"/api/v1/alerts/{alert_id}", headers=approver))
    assert one["form"]["infos"][0]["areas"][0]["districts"] == ["AZ-SAK"]
    assert [s["step"] for s in one["steps"]] == ["create"]
    edited = dict(one["form"], note="Yenilənib")
    assert ok(client.put(f"/api/v1/alerts/{alert_id}", json=edited, headers=author))["state"]
    ok(client.post(f"/api/v1/alerts/{alert_id}/submit", json={}, headers=author))
    refused(client.post(f"/api/v1/alerts/{alert_id}/approve", headers=author), 403)
    stale = {"seen": one["sha256"]}
    refused(client.post(f"/api/v1/alerts/{alert_id}/approve", json=stale, headers=approver), 409)
    seen = ok(client.get(f"/api/v1/alerts/{alert_id}", headers=approver))
    assert "<note>Yenilənib</note>" in seen["xml"]
    fresh = {"seen": seen["sha256"]}
    approved = client.post(f"/api/v1/alerts/{alert_id}/approve", json=fresh, headers=approver)
    assert ok(approved)["state"] == "approved"
    issued = ok(client.post(f"/api/v1/alerts/{alert_id}/issue", headers=author))
    assert issued["state"] == "issued" and issued["active"] is True
    assert issued["cap_url"].startswith("/alerts/cap/mes.gov.az/mes.gov.az.")

    listed = ok(client.get("/api/v1/alerts?state=active", headers=people["officer"].headers))
    assert [a["id"] for a in listed["results"]] == [alert_id]
    refused(client.get("/api/v1/alerts?state=nope", headers=author), 422, "state")

    update = ok(client.post(f"/api/v1/alerts/{alert_id}/update", headers=author), 201)
    assert (update["msg_type"], update["supersedes"]) == ("Update", alert_id)
    cancel = client.post(
        f"/api/v1/alerts/{alert_id}/cancel", json={"note": "Bitdi"}, headers=author
    )
    assert ok(cancel, 201)["msg_type"] == "Cancel"
    for step in ("create", "update", "submit", "approve", "issue"):
        assert any(a.outcome == "success" for a in audits(engine, f"alert.{step}")), step


def test_a_draft_from_cap_xml_and_bad_input_named(
    client: TestClient, people: dict[str, Person]
) -> None:
    author = people["author"].headers
    made = ok(client.post("/api/v1/alerts", json=body(), headers=author), 201)
    document = ok(client.get(f"/api/v1/alerts/{made['id']}", headers=author))["xml"]
    xml_headers = {**author, "Content-Type": "application/cap+xml"}
    copy = ok(client.post("/api/v1/alerts", content=document.encode(), headers=xml_headers), 201)
    assert copy["identifier"] != made["identifier"] and copy["event"] == made["event"]

    broken = document.replace("<severity>Severe", "<severity>Awful").encode()
    error = refused(client.post("/api/v1/alerts", content=broken, headers=xml_headers), 422)
    assert error["field"] == "alert/info[1]/severity"
    junk = refused(client.post("/api/v1/alerts", content=b"<alert", headers=xml_headers), 422)
    assert junk["code"] == "invalid_input"
    no_expiry = body(form(infos=(info(expires=None),)))
    refused(
        client.post("/api/v1/alerts", json=no_expiry, headers=author), 422, "alert/info[1]/expires"
    )
    missing = {"infos": [{"language": "az"}]}
    refused(client.post("/api/v1/alerts", json=missing, headers=author), 422, "infos.0.categories")
    text = {**author, "Content-Type": "text/plain"}
    refused(client.post("/api/v1/alerts", content=b"hello", headers=text), 415)
    refused(client.post(f"/api/v1/alerts/{MISSING}/submit", headers=author), 404, "id")
    refused(client.post(f"/api/v1/alerts/{made['id']}/reject", json={}, headers=author), 422)
    refused(client.post("/api/v1/alerts", json=body()), 401)
    officer = people["officer"].headers
    refused(client.post("/api/v1/alerts", json=body(), headers=officer), 403)
    refused(client.get(f"/api/v1/alerts/{made['id']}", headers=officer), 404, "id")


def test_channels_over_the_api(client: TestClient, people: dict[str, Person]) -> None:
    author = people["author"].headers
    channel = {"name": "SMS", "adapter": "sms", "address": "+994501234567", "languages": ["az"]}
    made = ok(client.post("/api/v1/alerts/channels", json=channel, headers=author), 201)
    assert made["active"] and made["languages"] == ["az"]
    refused(client.post("/api/v1/alerts/channels", json=channel, headers=author), 409, "name")
    bad = dict(channel, name="Bad", address="nobody")
    refused(client.post("/api/v1/alerts/channels", json=bad, headers=author), 422, "address")
    listed = ok(client.get("/api/v1/alerts/channels", headers=author))["results"]
    assert [c["id"] for c in listed] == [made["id"]]
    off = ok(client.post(f"/api/v1/alerts/channels/{made['id']}/deactivate", headers=author))
    assert off["active"] is False
    assert ok(client.get("/api/v1/alerts/channels", headers=author))["results"] == []
    refused(client.get("/api/v1/alerts/channels", headers=people["officer"].headers), 403)


def issue(client: TestClient, people: dict[str, Person], draft: AlertForm) -> dict[str, Any]:
    author, approver = people["author"].headers, people["approver"].headers
    alert_id = ok(client.post("/api/v1/alerts", json=body(draft), headers=author), 201)["id"]
    ok(client.post(f"/api/v1/alerts/{alert_id}/submit", headers=author))
    ok(client.post(f"/api/v1/alerts/{alert_id}/approve", headers=approver))
    return ok(client.post(f"/api/v1/alerts/{alert_id}/issue", headers=author))  # type: ignore[no-any-return]


def test_the_public_feed_and_cap_urls(client: TestClient, people: dict[str, Person]) -> None:
    public = issue(client, people, form())
    restricted = issue(client, people, form(scope="Restricted", restriction="İcra hakimiyyəti"))
    draft = ok(client.post("/api/v1/alerts", json=body(), headers=people["author"].headers), 201)

    feed = client.get("/alerts/feed.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = read_feed(feed.content)
    assert [e.link for e in parsed.entries] == [f"http://testserver{public['cap_url']}"]
    assert etree.fromstring(feed.content).find("{http://www.w3.org/2005/Atom}entry") is not None
    again = client.get("/alerts/feed.atom", headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        "/alerts/feed.atom", headers={"If-Modified-Since": feed.headers["last-modified"]}
    )
    assert since.status_code == 304

    cap = client.get(public["cap_url"])
    assert cap.status_code == 200 and cap.headers["content-type"] == "application/cap+xml"
    assert cap_schema().validate(parse_xml(cap.content))
    alert = parse_alert(cap.content)
    assert write_alert(alert) == cap.content and alert.identifier == public["identifier"]
    assert "etag" in cap.headers and "last-modified" in cap.headers
    assert (
        client.get(public["cap_url"], headers={"If-None-Match": cap.headers["etag"]}).status_code
        == 304
    )
    # Stable: the same URL answers the same bytes after the alert is replaced.
    author = people["author"].headers
    update = ok(client.post(f"/api/v1/alerts/{public['id']}/update", headers=author), 201)
    ok(client.post(f"/api/v1/alerts/{update['id']}/submit", headers=author))
    ok(client.post(f"/api/v1/alerts/{update['id']}/approve", headers=people["approver"].headers))
    ok(client.post(f"/api/v1/alerts/{update['id']}/issue", headers=author))
    assert client.get(public["cap_url"]).content == cap.content
    links = [e.link for e in read_feed(client.get("/alerts/feed.atom").content).entries]
    assert links == [f"http://testserver/alerts/cap/mes.gov.az/{update['identifier']}.xml"]

    for hidden in (restricted, draft):
        url = f"/alerts/cap/{hidden['sender']}/{hidden['identifier']}.xml"
        refused(client.get(url), 404)
    refused(client.get("/alerts/cap/mes.gov.az/nothing.xml"), 404)
