"""Screening through the API: a batch matched against a small synthetic national list, the
review queue, a false match that stands, and the callers and inputs turned away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from qalxan.screening import lists, service, thresholds
from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import Person, make_person

LIST = """id,name,birth_date,nationality
AZ-1,Aram Synthetic,1970-01-01,am
AZ-2,Bora Example,1965-03-03,tr
AZ-3,Leyla Quliyeva,1980-05-05,az
AZ-4,Orkhan Testov,1990,az
"""
# Leyla Quliyeva in Cyrillic, her nationality by name; Orkhan Testov misspelt; a stranger.
BATCH: dict[str, Any] = {
    "pnr-1": {
        "schema": "Person",
        "properties": {
            "name": ["Лейла Кулиева"],
            "birthDate": ["1980-05-05"],
            "nationality": ["Azerbaijan"],
            "gender": ["female"],
        },
    },
    "pnr-2": {"properties": {"name": ["Orxan Testov"], "passportNumber": ["C01234567"]}},
    "pnr-3": {"properties": {"name": ["Ivan Petrenko"], "nationality": ["ua"]}},
}
MATCH = "/api/v1/screening/match"
HITS = "/api/v1/screening/hits"


@pytest.fixture
def api(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def officer(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "sbs.screening", "agency-sbs", ["screening_officer"])


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["message"]
    if field is not None:
        assert error["field"] == field, error
    return error


def seed(officer: Person, engine: Engine, settings: Settings, folder: Path) -> None:
    ctx = officer.ctx(engine, settings)
    spec = lists.ListSpec("az-test", "Test list", "Test authority", "Test law", ("border",))
    lists.declare(ctx, spec)
    path = folder / "national.csv"
    path.write_text(LIST, "utf-8")
    service.import_list(ctx, path, "csv", "az-test")


def test_an_officer_screens_a_batch_and_a_false_match_stands(
    api: TestClient, officer: Person, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    seed(officer, engine, settings, tmp_path)
    headers = officer.headers
    body = {"use": "border", "queries": BATCH, "top": 3, "threshold": None}
    answer = ok(api.post(MATCH, json=body, headers=headers))
    responses = answer["responses"]
    assert list(responses) == ["pnr-1", "pnr-2", "pnr-3"] and answer["lists_version"]
    leyla, orkhan = responses["pnr-1"]["results"][0], responses["pnr-2"]["results"][0]
    border = thresholds.threshold(settings, "border")
    assert (responses["pnr-1"]["status"], responses["pnr-1"]["threshold"]) == (200, border)
    assert (leyla["id"], leyla["source_id"], leyla["list"]) == ("az-test-az-3", "AZ-3", "az-test")
    assert (leyla["alert"], leyla["status"], leyla["caption"]) == (True, "open", "Leyla Quliyeva")
    assert leyla["features"]["nationality"] > 0 and leyla["features"]["birth_date"] > 0
    assert "кулиева~quliyeva" in leyla["explanation"] and leyla["hit_id"]
    assert (orkhan["source_id"], orkhan["alert"]) == ("AZ-4", True)
    assert not any(r["alert"] for r in responses["pnr-3"]["results"])

    found = ok(api.get("/api/v1/screening/search", params={"q": "leyla quliyeva"}, headers=headers))
    assert found["results"][0]["source_id"] == "AZ-3"
    listed = ok(api.get("/api/v1/screening/lists", headers=headers))["lists"]
    ours = next(item for item in listed if item["code"] == "az-test")
    assert (ours["entries"], ours["version"]["number"], ours["legal_basis"]) == (4, 1, "Test law")

    queue = ok(api.get(HITS, params={"use": "border", "limit": 1}, headers=headers))
    assert len(queue["results"]) == 1 and queue["next"]
    more = ok(api.get(HITS, params={"before": queue["next"]}, headers=headers))
    queued = {h["id"] for h in queue["results"] + more["results"]}
    assert queued == {leyla["hit_id"], orkhan["hit_id"]} and more["next"] is None
    hit_url = f"{HITS}/{leyla['hit_id']}"
    hit = ok(api.get(hit_url, headers=headers))
    assert (hit["subject"]["caption"], hit["entry"]["source_id"]) == ("Лейла Кулиева", "AZ-3")
    assert hit["entry"]["properties"]["birthDate"] == ["1980-05-05"] and hit["decisions"] == []

    decision = f"{hit_url}/decision"
    refused(api.post(decision, json={"disposition": "false_match"}, headers=headers), 422, "reason")
    refused(
        api.post(decision, json={"disposition": "false_match", "reason": "  "}, headers=headers),
        422,
        "reason",
    )
    why = {"disposition": "false_match", "reason": "Another Leyla: different father's name"}
    made = ok(api.post(decision, json=why, headers=headers), 201)
    assert (made["hit_id"], made["disposition"]) == (leyla["hit_id"], "false_match")
    again = ok(
        api.post(MATCH, json={"use": "border", "queries": {"x": BATCH["pnr-1"]}}, headers=headers)
    )
    first = again["responses"]["x"]["results"][0]
    assert (first["source_id"], first["alert"], first["status"]) == ("AZ-3", True, "suppressed")
    assert [h["id"] for h in ok(api.get(HITS, headers=headers))["results"]] == [orkhan["hit_id"]]
    assert ok(api.get(hit_url, headers=headers))["decisions"][0]["reason"] == why["reason"]

    other = make_person(engine, settings, "mia.screening", "agency-mia", ["screening_officer"])
    missing = refused(api.get(hit_url, headers=other.headers), 404)
    assert leyla["hit_id"] in missing["message"] and "Leyla" not in missing["message"]
    refused(api.post(decision, json=why, headers=other.headers), 404)
    assert ok(api.get(HITS, headers=other.headers))["results"] == []


def test_callers_and_inputs_are_turned_away(
    api: TestClient, officer: Person, engine: Engine, settings: Settings
) -> None:
    hit = f"{HITS}/{'0' * 24}"
    one = {"use": "border", "queries": {"q": {"properties": {"name": ["A B"]}}}}
    routes: list[tuple[str, str, Any]] = [
        ("POST", MATCH, one),
        ("GET", "/api/v1/screening/search?q=aram", None),
        ("GET", HITS, None),
        ("GET", hit, None),
        ("POST", f"{hit}/decision", {"disposition": "true_match", "reason": "r"}),
        ("GET", "/api/v1/screening/lists", None),
    ]
    reporter = make_person(engine, settings, "reporter", "agency-sbs", ["reporter"])
    for method, url, body in routes:
        refused(api.request(method, url, json=body), 401)
        refused(api.request(method, url, json=body, headers=reporter.headers), 403)

    headers = officer.headers
    many = {str(n): {"properties": {"name": [f"Person {n}"]}} for n in range(101)}
    refused(
        api.post(MATCH, json={"use": "border", "queries": many}, headers=headers), 422, "queries"
    )
    bad = {"properties": {"name": ["Aram Synthetic"], "nationality": ["am", "Atlantis"]}}
    error = refused(
        api.post(MATCH, json={"use": "border", "queries": {"pnr-9": bad}}, headers=headers),
        422,
        "queries.pnr-9.properties.nationality",
    )
    assert "'Atlantis'" in error["message"]
    refused(api.post(MATCH, json={**one, "use": "harbour"}, headers=headers), 422, "use")
    refused(api.get(HITS, params={"before": "nonsense"}, headers=headers), 422, "before")
    refused(api.get(hit, headers=headers), 404, "id")
