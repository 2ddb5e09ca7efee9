"""Reports, incidents and cases through the API: the whole flow between two agencies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import Person, make_person

NOW = datetime.now(UTC)


@pytest.fixture
def api(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def sbs(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "sbs.duty", "agency-sbs", ["duty_officer"])


@pytest.fixture
def sss(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "sss.duty", "agency-sss", ["duty_officer", "analyst"])


@pytest.fixture
def mes(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "mes.duty", "agency-mes", ["duty_officer"])


def report(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "objects": [
            {"kind": "vehicle", "description": "white van", "identifier": "10-AA-123"},
            {"kind": "infrastructure", "description": "BTC", "infrastructure_id": "infra-btc"},
        ],
        "narrative": "Border guards detained two men carrying 12 kg of heroin across the "
        "border near Astara.",
        "observed_at": (NOW - timedelta(hours=2)).isoformat(),
        "source": "patrol",
        "source_reliability": "B",
        "info_credibility": 2,
    }
    body.update(changes)
    return body


def test_report_is_typed_placed_routed_and_worked_as_a_case(
    api: TestClient, sbs: Person, sss: Person
) -> None:
    made = api.post("/api/v1/reports", json=report(), headers=sbs.headers)
    assert made.status_code == 201, made.text
    incident_id = made.json()["incident_id"]

    mine = api.get(f"/api/v1/reports/{made.json()['report_id']}", headers=sbs.headers).json()
    assert mine["event_type"] == "drug-trafficking"
    assert mine["typed_by"] == "rules"
    assert mine["typing"]["explanation"]
    assert mine["admin1"] == "AZ-AST"
    assert mine["grade"] == "B2"

    incident = api.get(f"/api/v1/incidents/{incident_id}", headers=sbs.headers).json()
    assert incident["threats"] == ["threat-3-5"]
    roles = {r["agency_id"]: r["role"] for r in incident["routing"]}
    assert roles["agency-sbs"] == "lead"  # 3.5: the State Border Service leads
    assert roles["agency-sss"] == "supporting"

    # The supporting agency sees it in its queue, acknowledges it and works it as a case.
    queue = api.get("/api/v1/incidents?agency=agency-sss", headers=sss.headers).json()
    assert incident_id in [i["id"] for i in queue["results"]]
    case = api.post(f"/api/v1/incidents/{incident_id}/acknowledge", headers=sss.headers)
    assert case.status_code == 200, case.text
    case_id = case.json()["id"]
    assert case.json()["status"] == "open"
    moved = api.post(
        f"/api/v1/cases/{case_id}/status", json={"status": "closed"}, headers=sss.headers
    )
    assert moved.status_code == 422 and moved.json()["error"]["field"] == "reason"
    for status in ("in_progress", "resolved"):
        answer = api.post(
            f"/api/v1/cases/{case_id}/status", json={"status": status}, headers=sss.headers
        )
        assert answer.status_code == 200, answer.text
    task = api.post(
        f"/api/v1/cases/{case_id}/tasks", json={"title": "Check the suspects"}, headers=sss.headers
    )
    assert task.status_code == 201
    api.post(f"/api/v1/cases/{case_id}/comments", json={"text": "Noted."}, headers=sss.headers)
    detail = api.get(f"/api/v1/cases/{case_id}", headers=sss.headers).json()
    assert [e["kind"] for e in detail["timeline"]] == [
        "opened",
        "status",
        "status",
        "task",
        "comment",
    ]
    # Another agency's case is not visible (it is that agency's own work).
    assert api.get(f"/api/v1/cases/{case_id}", headers=sbs.headers).status_code == 404
    acknowledged = api.get(f"/api/v1/incidents/{incident_id}", headers=sbs.headers).json()
    assert any(h["kind"] == "acknowledged" for h in acknowledged["history"])
    # Case files: stored once per content, readable by the case's agency only.
    filed = api.post(
        f"/api/v1/cases/{case_id}/attachments",
        files={"file": ("note.txt", b"seen at 14:00", "text/plain")},
        headers=sss.headers,
    )
    assert filed.status_code == 201, filed.text
    path = f"/api/v1/cases/{case_id}/attachments/{filed.json()['id']}"
    assert api.get(path, headers=sss.headers).content == b"seen at 14:00"
    assert api.get(path, headers=sbs.headers).status_code == 404


def test_an_agency_the_incident_is_not_routed_to_cannot_see_it_or_open_a_case(
    api: TestClient, sbs: Person, mes: Person
) -> None:
    made = api.post("/api/v1/reports", json=report(), headers=sbs.headers).json()
    incident_id = made["incident_id"]
    assert api.get(f"/api/v1/incidents/{incident_id}", headers=mes.headers).status_code == 404
    assert (
        api.post(f"/api/v1/incidents/{incident_id}/acknowledge", headers=mes.headers).status_code
        == 404
    )
    listed = api.get("/api/v1/incidents", headers=mes.headers).json()
    assert incident_id not in [i["id"] for i in listed["results"]]


def test_assistance_request_routes_the_incident_to_the_asked_agency(
    api: TestClient, sbs: Person, mes: Person
) -> None:
    incident_id = api.post("/api/v1/reports", json=report(), headers=sbs.headers).json()[
        "incident_id"
    ]
    case_id = api.post(f"/api/v1/incidents/{incident_id}/acknowledge", headers=sbs.headers).json()[
        "id"
    ]
    asked = api.post(
        f"/api/v1/cases/{case_id}/requests",
        json={"to_agency": "agency-mes", "request": "Medical team for the detainees"},
        headers=sbs.headers,
    )
    assert asked.status_code == 201, asked.text
    pending = api.get("/api/v1/cases/requests", headers=mes.headers).json()["results"]
    assert [p["id"] for p in pending] == [asked.json()["id"]]
    assert api.get(f"/api/v1/incidents/{incident_id}", headers=mes.headers).status_code == 200
    declined = api.post(
        f"/api/v1/cases/requests/{asked.json()['id']}", json={"accept": False}, headers=mes.headers
    )
    assert declined.status_code == 422  # declining needs a reason
    accepted = api.post(
        f"/api/v1/cases/requests/{asked.json()['id']}", json={"accept": True}, headers=mes.headers
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["target_case_id"]


def test_merge_and_split_keep_every_report(api: TestClient, sbs: Person, sss: Person) -> None:
    first = api.post("/api/v1/reports", json=report(), headers=sbs.headers).json()
    other = api.post(
        "/api/v1/reports",
        json=report(
            narrative="Armed men fired at a border post near Tovuz.",
            event_type="armed-clash",
            admin1="AZ-TOV",
        ),
        headers=sbs.headers,
    ).json()
    assert other["incident_id"] != first["incident_id"]
    merged = api.post(
        f"/api/v1/incidents/{first['incident_id']}/merge",
        json={"source_id": other["incident_id"], "reason": "one operation"},
        headers=sbs.headers,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["report_count"] == 2
    gone = api.get(f"/api/v1/incidents/{other['incident_id']}", headers=sbs.headers).json()
    assert gone["status"] == "merged"
    split = api.post(
        f"/api/v1/incidents/{first['incident_id']}/split",
        json={"report_ids": [other["report_id"]], "reason": "separate events after all"},
        headers=sbs.headers,
    )
    assert split.status_code == 201, split.text
    assert split.json()["report_count"] == 1
    history = api.get(f"/api/v1/incidents/{first['incident_id']}", headers=sbs.headers).json()
    assert [h["kind"] for h in history["history"]][-2:] == ["merged", "split"]


def test_labels_and_attachments(api: TestClient, sss: Person, sbs: Person) -> None:
    made = api.post("/api/v1/reports", json=report(), headers=sbs.headers).json()
    labelled = api.post(
        f"/api/v1/reports/{made['report_id']}/label",
        json={"event_type": "smuggling", "note": "cigarettes, not drugs"},
        headers=sss.headers,
    )
    assert labelled.status_code == 201, labelled.text
    assert labelled.json()["previous"] == "drug-trafficking"
    bad = api.post(
        f"/api/v1/reports/{made['report_id']}/label",
        json={"event_type": "nonsense"},
        headers=sss.headers,
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "event_type"
    data = b"\x89PNG\r\n\x1a\n\x00\x00binary"
    added = api.post(
        f"/api/v1/reports/{made['report_id']}/attachments",
        files={"file": ("photo.png", data, "image/png")},
        headers=sbs.headers,
    )
    assert added.status_code == 201, added.text
    back = api.get(
        f"/api/v1/reports/{made['report_id']}/attachments/{added.json()['id']}",
        headers=sbs.headers,
    )
    assert back.content == data
    assert back.headers["x-content-type-options"] == "nosniff"
    listed = api.get(f"/api/v1/reports/{made['report_id']}", headers=sbs.headers).json()
    assert [a["filename"] for a in listed["attachments"]] == ["photo.png"]


def test_bad_report_answers_422_naming_the_field(api: TestClient, sbs: Person) -> None:
    for changes, field in (
        ({"lat": 95, "lon": 10}, "lat"),
        ({"event_type": "alien-invasion"}, "event_type"),
        ({"observed_at": "2026-13-40T00:00:00Z"}, "observed_at"),
        ({"observed_at": (NOW + timedelta(days=1)).isoformat()}, "observed_at"),
        ({"admin1": "AZ-XXX"}, "admin1"),
    ):
        answer = api.post("/api/v1/reports", json=report(**changes), headers=sbs.headers)
        assert answer.status_code == 422, (changes, answer.text)
        assert field in (answer.json()["error"]["field"] or ""), (changes, answer.json())
    assert api.get("/api/v1/incidents", headers=sbs.headers).json()["results"] == []


def test_live_feed_streams_new_incidents_to_who_may_see_them(
    api: TestClient, sbs: Person, mes: Person
) -> None:
    made = api.post("/api/v1/reports", json=report(), headers=sbs.headers).json()
    with api.stream("GET", "/api/v1/stream?after=0&seconds=1", headers=sbs.headers) as stream:
        body = "".join(stream.iter_text())
    assert made["incident_id"] in body
    assert "event: incident.created" in body
    with api.stream("GET", "/api/v1/stream?after=0&seconds=1", headers=mes.headers) as stream:
        assert made["incident_id"] not in "".join(stream.iter_text())
    # A cursor past any stored id (and past PostgreSQL's integer) is an empty stream, not a 500.
    beyond = "/api/v1/stream?after=2147483648&seconds=1"
    with api.stream("GET", beyond, headers=sbs.headers) as stream:
        assert stream.status_code == 200
        assert made["incident_id"] not in "".join(stream.iter_text())


def test_event_types_say_a_peaceful_protest_is_not_a_threat(api: TestClient, sbs: Person) -> None:
    types = {
        t["code"]: t for t in api.get("/api/v1/event-types", headers=sbs.headers).json()["types"]
    }
    assert types["peaceful-protest"]["bears_on"] == []
    assert "not a threat" in types["peaceful-protest"]["note"]
    assert types["peaceful-protest"]["acled"]["sub_event_type"] == "Peaceful protest"
