"""Account and unit administration through the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import Person, make_person


@pytest.fixture
def api(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def mia_admin(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "mia.admin", "agency-mia", ["agency_admin"], "secret")


@pytest.fixture
def platform_admin(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "root", "agency-ssscis", ["platform_admin"], "top_secret")


def new_user(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "username": "officer.1",
        "display_name": "Officer One",
        "agency_id": "agency-mia",
        "roles": ["duty_officer"],
        "clearance": "confidential",
    }
    body.update(changes)
    return body


def test_agency_admin_manages_their_own_agency_only(api: TestClient, mia_admin: Person) -> None:
    made = api.post("/api/v1/users", json=new_user(), headers=mia_admin.headers)
    assert made.status_code == 201, made.text
    assert len(made.json()["one_time_password"]) >= 16
    assert made.json()["must_change_password"] is True
    other = api.post(
        "/api/v1/users",
        json=new_user(username="x.y", agency_id="agency-sbs"),
        headers=mia_admin.headers,
    )
    assert other.status_code == 403
    overseer = api.post(
        "/api/v1/users",
        json=new_user(username="o.1", roles=["oversight"]),
        headers=mia_admin.headers,
    )
    assert overseer.status_code == 403
    above = api.post(
        "/api/v1/users",
        json=new_user(username="o.2", clearance="top_secret"),
        headers=mia_admin.headers,
    )
    assert above.status_code == 403
    names = [u["username"] for u in api.get("/api/v1/users", headers=mia_admin.headers).json()]
    assert names == ["mia.admin", "officer.1"]


def test_bad_input_names_the_field(api: TestClient, platform_admin: Person) -> None:
    cases = {
        "agency_id": new_user(agency_id="agency-nope"),
        "roles": new_user(roles=["wizard"]),
        "clearance": new_user(clearance="cosmic"),
        "username": new_user(username="Bad Name!"),
        "email": new_user(email="not-an-address"),
    }
    for field, body in cases.items():
        response = api.post("/api/v1/users", json=body, headers=platform_admin.headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"]["field"] == field
    api.post("/api/v1/users", json=new_user(), headers=platform_admin.headers)
    again = api.post("/api/v1/users", json=new_user(), headers=platform_admin.headers)
    assert again.status_code == 409 and again.json()["error"]["field"] == "username"


def test_accounts_of_other_agencies_are_not_disclosed(
    api: TestClient, mia_admin: Person, platform_admin: Person
) -> None:
    response = api.get(f"/api/v1/users/{platform_admin.user.id}", headers=mia_admin.headers)
    assert response.status_code == 404
    missing = api.get("/api/v1/users/0123456789abcdef01234567", headers=mia_admin.headers)
    assert response.json()["error"]["message"].replace(platform_admin.user.id, "?") == (
        missing.json()["error"]["message"].replace("0123456789abcdef01234567", "?")
    )


def test_disable_and_reset(api: TestClient, platform_admin: Person, mia_admin: Person) -> None:
    target = mia_admin.user.id
    disabled = api.patch(
        f"/api/v1/users/{target}", json={"disabled": True}, headers=platform_admin.headers
    )
    assert disabled.json()["disabled"] is True
    assert api.get("/api/v1/auth/me", headers=mia_admin.headers).status_code == 401
    own = api.patch(
        f"/api/v1/users/{platform_admin.user.id}",
        json={"disabled": True},
        headers=platform_admin.headers,
    )
    assert own.status_code == 403
    reset = api.post(f"/api/v1/users/{target}/reset-password", headers=platform_admin.headers)
    assert len(reset.json()["one_time_password"]) >= 16


def test_units_belong_to_doctrine_agencies(
    api: TestClient, mia_admin: Person, platform_admin: Person
) -> None:
    unit = api.post(
        "/api/v1/units",
        json={
            "agency_id": "agency-mia",
            "name": "Baku City Police Department",
            "functions": ["duty_centre"],
        },
        headers=mia_admin.headers,
    )
    assert unit.status_code == 201, unit.text
    bad = api.post(
        "/api/v1/units",
        json={"agency_id": "agency-mia", "name": "X", "functions": ["spying"]},
        headers=mia_admin.headers,
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "functions"
    foreign = api.post(
        "/api/v1/units",
        json={"agency_id": "agency-sbs", "name": "Detachment"},
        headers=mia_admin.headers,
    )
    assert foreign.status_code == 403
    moved = api.patch(
        f"/api/v1/users/{mia_admin.user.id}",
        json={"unit_id": unit.json()["id"]},
        headers=platform_admin.headers,
    )
    assert moved.json()["unit_id"] == unit.json()["id"]
    listed = api.get("/api/v1/units?agency_id=agency-mia", headers=mia_admin.headers).json()
    assert [u["name"] for u in listed] == ["Baku City Police Department"]


def test_partner_accounts_belong_to_a_partner_organisation(
    api: TestClient, platform_admin: Person
) -> None:
    # A foreign CERT's analyst: an account of a doctrine organisation, with the CTI partner role.
    body = new_user(username="nato.cert", agency_id="org-nato", roles=["cti_partner"])
    made = api.post("/api/v1/users", json=body, headers=platform_admin.headers)
    assert made.status_code == 201, made.text
    assert made.json()["agency_id"] == "org-nato"
    # A state or a made-up id is no partner organisation.
    for agency in ("state-georgia", "org-nope"):
        refused = api.post(
            "/api/v1/users",
            json=new_user(username="x.partner", agency_id=agency, roles=["cti_partner"]),
            headers=platform_admin.headers,
        )
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "agency_id"
        assert "partner organisation" in refused.json()["error"]["message"]
