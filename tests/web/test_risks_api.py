"""The risk register through the API: assess, the current register with its matrix, history;
sign-in, permissions and input errors naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import Person, make_person

URL = "/api/v1/risks"


@pytest.fixture
def api(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def analyst(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "mia.analyst", "agency-mia", ["analyst"], "secret")


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "threat": "threat-3-4",
        "region": "",
        "likelihood": 4,
        "impact": 5,
        "justification": "Intelligence of a planned attack on the capital.",
        "classification": "confidential",
        "tlp": "amber",
    }
    values.update(changes)
    return values


def test_an_analyst_assesses_and_reads_the_register(api: TestClient, analyst: Person) -> None:
    made = api.post(URL, json=body(), headers=analyst.headers)
    assert made.status_code == 201, made.text
    first = made.json()
    assert (first["threat"], first["version"], first["score"]) == ("threat-3-4", 1, 20)
    assert (first["classification"], first["tlp"], first["owner_agency"]) == (
        "confidential",
        "AMBER",
        "agency-mia",
    )
    assert first["assessed_at"].endswith(("Z", "+00:00"))
    again = api.post(URL, json=body(likelihood=2, tlp=None), headers=analyst.headers).json()
    assert again["version"] == 2
    api.post(URL, json=body(region="az-tov", likelihood=1, impact=1), headers=analyst.headers)

    register = api.get(URL, headers=analyst.headers).json()
    assert register["region"] == ""
    assert [a["id"] for a in register["assessments"]] == [again["id"]]
    assert "threat-3-4" not in register["unassessed"] and "threat-3-1" in register["unassessed"]
    cells = {(c["likelihood"], c["impact"]): c for c in register["matrix"]["cells"]}
    assert len(cells) == 25 and cells[(2, 5)]["threats"] == ["threat-3-4"]
    assert cells[(2, 5)]["score"] == 10

    regional = api.get(URL, params={"region": "AZ-TOV"}, headers=analyst.headers).json()
    assert [(a["region"], a["likelihood"]) for a in regional["assessments"]] == [("AZ-TOV", 1)]

    history = api.get(f"{URL}/threat-3-4/history", headers=analyst.headers).json()
    assert [r["version"] for r in history["results"]] == [2, 1]
    assert history["results"][1]["justification"] == body()["justification"]
    tov = api.get(f"{URL}/threat-3-4/history?region=AZ-TOV", headers=analyst.headers).json()
    assert [r["region"] for r in tov["results"]] == ["AZ-TOV"]


def test_bad_input_is_a_4xx_naming_the_field(api: TestClient, analyst: Person) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (body(threat="threat-3-99"), "threat"),
        (body(threat=""), "threat"),
        (body(region="AZ-NOPE"), "region"),
        (body(likelihood=0), "likelihood"),
        (body(likelihood=6), "likelihood"),
        (body(likelihood="3"), "likelihood"),
        (body(impact=2.5), "impact"),
        (body(justification=""), "justification"),
        (body(justification="   "), "justification"),
        (body(classification="cosmic"), "classification"),
        (body(classification="top_secret"), "classification"),
        (body(tlp="PURPLE"), "tlp"),
        ({k: v for k, v in body().items() if k != "impact"}, "impact"),
    ]
    for sent, field in cases:
        response = api.post(URL, json=sent, headers=analyst.headers)
        assert response.status_code == 422, (sent, response.text)
        assert response.json()["error"]["field"] == field, (sent, response.text)
    for url, params, field in (
        (URL, {"region": "AZ-NOPE"}, "region"),
        (URL, {"region": "X" * 9}, "region"),
        (f"{URL}/threat-3-4/history", {"region": "nowhere"}, "region"),
        (f"{URL}/no-such-threat/history", {}, "threat"),
    ):
        response = api.get(url, params=params, headers=analyst.headers)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["error"]["field"] == field


def test_callers_need_a_sign_in_and_the_permission(
    api: TestClient, engine: Engine, settings: Settings, analyst: Person
) -> None:
    routes = [("GET", URL), ("GET", f"{URL}/threat-3-4/history"), ("POST", URL)]
    for method, url in routes:
        response = api.request(method, url, json=body())
        assert response.status_code == 401, (method, url)
        assert response.json()["error"]["code"] == "unauthorized"
    duty = make_person(engine, settings, "duty", "agency-mia", ["duty_officer"], "secret")
    for method, url in routes:
        response = api.request(method, url, json=body(), headers=duty.headers)
        assert response.status_code == 403, (method, url, response.text)
    assert api.get(URL, headers=analyst.headers).json()["assessments"] == []


def test_each_reader_sees_what_their_clearance_and_agency_allow(
    api: TestClient, engine: Engine, settings: Settings, analyst: Person
) -> None:
    low = make_person(engine, settings, "low", "agency-mia", ["analyst"], "restricted")
    border = make_person(engine, settings, "border", "agency-sbs", ["analyst"], "top_secret")
    open_one = body(classification="restricted", tlp="green", likelihood=1)
    api.post(URL, json=open_one, headers=analyst.headers)
    api.post(URL, json=body(classification="secret", tlp="green"), headers=analyst.headers)
    api.post(URL, json=body(threat="threat-3-1", tlp=None), headers=analyst.headers)

    def seen(person: Person) -> dict[str, int]:
        answer = api.get(URL, headers=person.headers).json()
        return {a["threat"]: a["version"] for a in answer["assessments"]}

    assert seen(analyst) == {"threat-3-1": 1, "threat-3-4": 2}
    assert seen(low) == {"threat-3-4": 1}  # the SECRET version 2 is above their clearance
    assert seen(border) == {"threat-3-4": 2}  # GREEN reaches them; the unmarked one does not
    history = api.get(f"{URL}/threat-3-4/history", headers=low.headers).json()["results"]
    assert [r["version"] for r in history] == [1]
