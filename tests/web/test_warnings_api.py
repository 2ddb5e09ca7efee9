"""``/api/v1/warnings``: reading through the policy, paging, closing, and the refusals."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from qalxan.picture import warnings
from qalxan.settings import Settings
from tests.people import load_bundled, make_person
from tests.picture.test_warnings import SMUGGLING, SURGE, TODAY, build

MISSING = "0" * 24


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_warnings_over_the_api(client: TestClient, engine: Engine, settings: Settings) -> None:
    build(engine, settings)
    raised = warnings.scan(engine, TODAY, load_bundled(), settings.operator_agency)
    (tovuz,) = [w for w in raised if w.region == "AZ-TOV"]
    own = make_person(engine, settings, "own", settings.operator_agency, ["analyst"])
    lead = make_person(engine, settings, "sbs", "agency-sbs", ["analyst"])
    low = make_person(engine, settings, "low", "agency-sbs", ["analyst"], "restricted")
    other = make_person(engine, settings, "mes", "agency-mes", ["analyst"])
    officer = make_person(engine, settings, "officer", "agency-sbs", ["duty_officer"])

    listed = ok(client.get("/api/v1/warnings", headers=lead.headers))
    assert tovuz.id in {w["id"] for w in listed["results"]}
    one = ok(client.get(f"/api/v1/warnings/{tovuz.id}", headers=lead.headers))
    assert one["observed"] == 8 and one["period_start"] == SURGE.isoformat()
    assert one["classification"] == "confidential" and one["tlp"] == "AMBER"
    assert "expected" in one["explanation"] and "p = " in one["explanation"]
    assert {"agency_id": "agency-sbs"}.items() <= one["routed"][0].items()

    filters = {"threat": SMUGGLING, "region": "AZ-TOV", "status": "open"}
    found = ok(client.get("/api/v1/warnings", params=filters, headers=lead.headers))
    assert [w["id"] for w in found["results"]] == [tovuz.id]
    national = ok(client.get("/api/v1/warnings?region=national", headers=own.headers))
    assert {w["region"] for w in national["results"]} == {""}
    assert all(w["national"] for w in national["results"])

    # Keyset pages, one warning each, cover every warning once.
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = ok(client.get("/api/v1/warnings", params=params, headers=own.headers))
        seen += [w["id"] for w in page["results"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(w.id for w in raised)

    # Out of reach: the same 404 as a warning that does not exist.
    missing = ok(client.get(f"/api/v1/warnings/{MISSING}", headers=lead.headers), 404)
    for who in (other, low):
        hidden = ok(client.get(f"/api/v1/warnings/{tovuz.id}", headers=who.headers), 404)
        assert hidden["error"]["code"] == missing["error"]["code"]
        listed = ok(client.get("/api/v1/warnings", headers=who.headers))
        assert tovuz.id not in {w["id"] for w in listed["results"]}
    assert client.get("/api/v1/warnings").status_code == 401
    assert client.get(f"/api/v1/warnings/{tovuz.id}").status_code == 401
    assert client.get("/api/v1/warnings", headers=officer.headers).status_code == 403
    for bad in ({"status": "closed"}, {"limit": 0}, {"limit": 1000}, {"cursor": "nonsense"}):
        response = client.get("/api/v1/warnings", params=bad, headers=lead.headers)
        assert response.status_code == 422, bad

    url = f"/api/v1/warnings/{tovuz.id}/close"
    body = {"status": "dismissed", "note": "seasonal, known"}
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=lead.headers).status_code == 403
    assert client.post(url, json=body, headers=other.headers).status_code == 404
    missing_url = f"/api/v1/warnings/{MISSING}/close"
    assert client.post(missing_url, json=body, headers=own.headers).status_code == 404
    for bad in ({"status": "open", "note": "x"}, {"status": "dismissed", "note": ""}, {}):
        assert client.post(url, json=bad, headers=own.headers).status_code == 422, bad
    closed = ok(client.post(url, json=body, headers=own.headers))
    assert closed["status"] == "dismissed" and closed["close_note"] == "seasonal, known"
    assert closed["closed_by"] == "own"
    assert client.post(url, json=body, headers=own.headers).status_code == 409
    still = ok(client.get("/api/v1/warnings?status=open", headers=own.headers))
    assert tovuz.id not in {w["id"] for w in still["results"]}
