"""The oversight API: the audit trail, statistics, anomalies, the signed report, complaints."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qalxan.access import reports, signing, units
from qalxan.doctrine.registry import Doctrine
from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import Person, make_person, operator

ORACLE_ROUTES = [
    "/api/v1/audit",
    "/api/v1/audit/export",
    "/api/v1/audit/verify",
    "/api/v1/oversight/access",
    "/api/v1/oversight/access.csv",
    "/api/v1/oversight/anomalies",
    "/api/v1/oversight/summary",
    "/api/v1/oversight/report",
]


@dataclass(frozen=True)
class Staff:
    overseer: Person
    analyst: Person
    clerk: Person
    mia_admin: Person
    sbs_admin: Person


@pytest.fixture
def api(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def staff(
    engine: Engine, settings: Settings, doctrine: Doctrine, monkeypatch: pytest.MonkeyPatch
) -> Staff:
    # make_person loads the bundled doctrine for every account; the session's copy is the same.
    monkeypatch.setattr("tests.people.load_bundled", lambda: doctrine)

    def person(name: str, agency: str, role: str) -> Person:
        return make_person(engine, settings, name, agency, [role])

    return Staff(
        overseer=person("overseer", "agency-ssscis", "oversight"),
        analyst=person("analyst", "agency-mia", "analyst"),
        clerk=person("clerk", "agency-sss", "reporter"),
        mia_admin=person("mia.admin", "agency-mia", "agency_admin"),
        sbs_admin=person("sbs.admin", "agency-sbs", "agency_admin"),
    )


def test_anonymous_is_401_and_other_roles_403(api: TestClient, staff: Staff) -> None:
    for route in [*ORACLE_ROUTES, "/api/v1/audit/public-key", "/api/v1/oversight/complaints"]:
        assert api.get(route).status_code == 401, route
    for route in ORACLE_ROUTES:
        for person in (staff.analyst, staff.mia_admin):
            response = api.get(route, headers=person.headers)
            assert response.status_code == 403, (route, response.text)
    refused = api.get(
        "/api/v1/audit", params={"outcome": "denied"}, headers=staff.overseer.headers
    ).json()["records"]
    assert {r["action"] for r in refused} == {
        "audit.read",
        "audit.export",
        "audit.verify",
        "oversight.read",
    }
    assert {r["actor_name"] for r in refused} == {"analyst", "mia.admin"}


def test_the_trail_is_read_paged_exported_and_verified(api: TestClient, staff: Staff) -> None:
    headers = staff.overseer.headers
    first = api.get("/api/v1/audit", params={"limit": 2}, headers=headers)
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["records"]) == 2 and page["next_after_seq"] == page["records"][-1]["seq"]
    rest = api.get(
        "/api/v1/audit",
        params={"after_seq": page["next_after_seq"], "limit": 1000},
        headers=headers,
    ).json()
    assert rest["records"][0]["seq"] == page["next_after_seq"] + 1
    assert rest["next_after_seq"] is None
    reads = api.get("/api/v1/audit", params={"action": "audit.read"}, headers=headers).json()
    assert len(reads["records"]) == 2  # the two reads before this one were audited
    assert reads["records"][0]["detail"]["limit"] == 2
    assert reads["records"][0]["actor_name"] == "overseer"
    users = api.get(
        "/api/v1/audit",
        params={"action": "user.", "actor_agency": "agency-ssscis"},
        headers=headers,
    ).json()["records"]
    assert {r["action"] for r in users} == {"user.create"}
    bad = api.get("/api/v1/audit", params={"outcome": "maybe"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "outcome"

    export = api.get("/api/v1/audit/export", params={"action": "apikey."}, headers=headers)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 5 and {r["action"] for r in rows} == {"apikey.create"}

    verified = api.get("/api/v1/audit/verify", headers=headers).json()
    assert verified["intact"] is True and verified["first_break"] is None

    pem = api.get("/api/v1/audit/public-key", headers=staff.clerk.headers)
    assert pem.status_code == 200 and pem.text.startswith("-----BEGIN PUBLIC KEY-----")
    assert pem.headers["x-key-id"] == signing.key_id(signing.load_public(pem.text))


def test_statistics_anomalies_summary_and_signed_report(api: TestClient, staff: Staff) -> None:
    headers = staff.overseer.headers
    period = {"since": "2026-01-01", "until": "2027-01-01"}
    access = api.get("/api/v1/oversight/access", params=period, headers=headers)
    assert access.status_code == 200, access.text
    body = access.json()
    assert body["period"]["since"] == "2025-12-31T20:00:00+00:00"  # local midnight in Baku
    assert {a["agency"] for a in body["by_agency"]} >= {"agency-mia", "agency-ssscis"}
    assert "analyst" in {u["username"] for u in body["by_user"]}
    table = api.get("/api/v1/oversight/access.csv", params=period, headers=headers)
    assert table.status_code == 200 and table.text.startswith("level,agency,user_id")

    found = api.get("/api/v1/oversight/anomalies", params=period, headers=headers).json()
    assert found["working_hours"] == "Monday-Friday 08:00-19:00 Asia/Baku"
    assert found["rules"]["volume_spike"]["baseline_days"] == 28
    assert isinstance(found["anomalies"], list)
    summary = api.get("/api/v1/oversight/summary", params=period, headers=headers).json()
    assert set(summary) == {"period", "screening_dispositions", "cases", "complaints"}

    report = api.get("/api/v1/oversight/report", params=period, headers=headers)
    assert report.status_code == 200
    pem = api.get("/api/v1/audit/public-key", headers=headers).text
    assert reports.verify(report.text, signing.load_public(pem)).valid
    tampered = report.text.replace('"reads": ', '"reads": 1', 1)
    assert not reports.verify(tampered, signing.load_public(pem)).valid

    too_long = api.get("/api/v1/oversight/access", params={"since": "2020-01-01"}, headers=headers)
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "until"
    views = api.get(
        "/api/v1/audit", params={"action": "oversight.read", "limit": 100}, headers=headers
    ).json()["records"]
    assert [v["detail"]["view"] for v in views if v["outcome"] == "success"] == [
        "access",
        "access.csv",
        "anomalies",
        "summary",
        "report",
    ]


def test_complaints_are_filed_routed_and_handled(
    api: TestClient, staff: Staff, engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    unit = units.create(
        operator(engine, settings),
        doctrine,
        "agency-sbs",
        "Internal Investigations",
        functions=["internal_investigations"],
    )
    filing = {
        "kind": "officer_conduct",
        "complainant": "Rauf Əliyev",
        "contact": "rauf@example.az",
        "description": "Rude treatment at the Astara crossing.",
        "officer_id": staff.sbs_admin.user.id,
    }
    made = api.post("/api/v1/oversight/complaints", json=filing, headers=staff.clerk.headers)
    assert made.status_code == 201, made.text
    complaint = made.json()
    assert complaint["reference"].startswith("C-") and complaint["status"] == "received"
    assert (complaint["owner_agency"], complaint["owner_unit"]) == ("agency-sbs", unit.id)
    assert complaint["routing"]["warning"] is None
    assert complaint["classification"] == "restricted"

    nowhere = api.post(
        "/api/v1/oversight/complaints",
        json={**filing, "officer_id": None, "agency_id": "agency-mia"},
        headers=staff.clerk.headers,
    ).json()
    assert nowhere["owner_unit"] is None and "no unit" in nowhere["routing"]["warning"]
    refused = api.post("/api/v1/oversight/complaints", json=filing, headers=staff.analyst.headers)
    assert refused.status_code == 403
    invalid = api.post(
        "/api/v1/oversight/complaints",
        json={**filing, "kind": "gripe"},
        headers=staff.clerk.headers,
    )
    assert invalid.status_code == 422 and invalid.json()["error"]["field"] == "kind"

    url = f"/api/v1/oversight/complaints/{complaint['id']}"
    assert api.get(url, headers=staff.mia_admin.headers).status_code == 404
    assert api.get(url, headers=staff.clerk.headers).status_code == 403
    mine = api.get(url, headers=staff.sbs_admin.headers).json()
    assert [e["status"] for e in mine["events"]] == ["received"]
    listed = api.get("/api/v1/oversight/complaints", headers=staff.overseer.headers).json()
    assert {c["id"] for c in listed["results"]} == {complaint["id"], nowhere["id"]}
    theirs = api.get("/api/v1/oversight/complaints", headers=staff.sbs_admin.headers).json()
    assert [c["id"] for c in theirs["results"]] == [complaint["id"]]

    step = api.post(
        f"{url}/events", json={"status": "acknowledged"}, headers=staff.sbs_admin.headers
    )
    assert step.status_code == 201, step.text
    assert step.json()["status"] == "acknowledged" and step.json()["event"]["actor"] == "sbs.admin"
    wrong = api.post(f"{url}/events", json={"status": "received"}, headers=staff.sbs_admin.headers)
    assert wrong.status_code == 409 and wrong.json()["error"]["field"] == "status"
    other = api.post(
        f"{url}/events", json={"status": "under_review"}, headers=staff.mia_admin.headers
    )
    assert other.status_code == 404
    done = api.post(
        f"{url}/events",
        json={"status": "resolved", "note": "Apology given"},
        headers=staff.overseer.headers,
    )
    assert done.status_code == 201 and done.json()["closed_at"] is not None

    overdue = api.get("/api/v1/oversight/complaints/overdue", headers=staff.overseer.headers)
    assert overdue.status_code == 200 and overdue.json()["results"] == []
    assert (
        api.get("/api/v1/oversight/complaints/unknown", headers=staff.overseer.headers).status_code
        == 404
    )
