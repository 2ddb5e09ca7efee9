"""Signing in and out, lockout, CSRF, sessions, API keys: through the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from qalxan.access import passwords
from qalxan.access.tables import AuditRow, SessionRow, UserRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web.app import create_app
from tests.people import Person, make_person

PASSWORD = "correct horse battery staple"


@pytest.fixture
def api(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def analyst(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "aliyev", "agency-mia", ["analyst"], "confidential")


def login(api: TestClient, username: str = "aliyev", password: str = PASSWORD) -> str:
    response = api.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def audit_rows(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == action)))


def test_anonymous_gets_401_with_a_challenge(api: TestClient) -> None:
    response = api.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"


def test_login_sets_a_strict_httponly_cookie_and_is_audited(
    api: TestClient, engine: Engine, analyst: Person
) -> None:
    response = api.post("/api/v1/auth/login", json={"username": "Aliyev", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    me = api.get("/api/v1/auth/me").json()
    assert me["username"] == "aliyev" and me["clearance"] == "confidential"
    assert "bulletin:read" in me["permissions"]
    [row] = audit_rows(engine, "auth.login")
    assert row.outcome == "success" and row.actor_id == analyst.user.id
    with transaction(engine) as session:
        [stored] = session.scalars(select(SessionRow)).all()
    assert api.cookies["qalxan_session"] not in stored.id  # only the token's hash is kept


def test_wrong_password_and_missing_user_answer_alike(
    api: TestClient, engine: Engine, analyst: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str | None] = []
    real = passwords.verify_password

    def counting(stored: str | None, password: str) -> bool:
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    wrong = api.post("/api/v1/auth/login", json={"username": "aliyev", "password": "nope"})
    missing = api.post("/api/v1/auth/login", json={"username": "nobody", "password": "nope"})
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json() == missing.json()
    # Both paths paid for one argon2 verification, so timing does not tell them apart.
    assert len(checks) == 2 and checks[1] is None
    assert [r.outcome for r in audit_rows(engine, "auth.login")] == ["denied", "denied"]


def test_lockout_after_repeated_failures(
    api: TestClient, engine: Engine, settings: Settings, analyst: Person
) -> None:
    for _ in range(settings.login_max_failures):
        bad = api.post("/api/v1/auth/login", json={"username": "aliyev", "password": "nope"})
        assert bad.status_code == 401
    locked = api.post("/api/v1/auth/login", json={"username": "aliyev", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    # A name that does not exist locks out the same way: lockout reveals no accounts.
    for _ in range(settings.login_max_failures):
        api.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope"})
    ghost = api.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope"})
    assert ghost.status_code == 429


def test_unsafe_requests_by_cookie_need_the_csrf_token(api: TestClient, analyst: Person) -> None:
    csrf = login(api)
    body = {"name": "feed", "scopes": ["bulletin:read"]}
    assert api.post("/api/v1/auth/api-keys", json=body).status_code == 403
    forged = api.post("/api/v1/auth/api-keys", json=body, headers={"X-CSRF-Token": "x" * 64})
    assert forged.status_code == 403
    ok = api.post("/api/v1/auth/api-keys", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    # A form post to the API does not get around it.
    form = api.post("/api/v1/auth/logout", data={"a": "b"})
    assert form.status_code == 403


def test_logout_ends_the_session(api: TestClient, analyst: Person) -> None:
    csrf = login(api)
    token = api.cookies["qalxan_session"]
    assert api.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    api.cookies.set("qalxan_session", token)  # replaying the old cookie does not work
    assert api.get("/api/v1/auth/me").status_code == 401


def test_idle_and_expired_sessions_end(api: TestClient, engine: Engine, analyst: Person) -> None:
    login(api)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    with transaction(engine) as session:
        session.execute(update(SessionRow).values(last_seen_at=long_ago))
    assert api.get("/api/v1/auth/me").status_code == 401


def test_api_keys_are_scoped_expiring_and_revocable(
    api: TestClient, engine: Engine, analyst: Person
) -> None:
    csrf = login(api)
    headers = {"X-CSRF-Token": csrf}
    beyond = api.post(
        "/api/v1/auth/api-keys", json={"name": "k", "scopes": ["users:manage"]}, headers=headers
    )
    assert beyond.status_code == 422 and beyond.json()["error"]["field"] == "scopes"
    made = api.post(
        "/api/v1/auth/api-keys", json={"name": "k", "scopes": ["bulletin:read"]}, headers=headers
    ).json()
    bearer = {"Authorization": f"Bearer {made['key']}"}
    with TestClient(api.app) as machine:
        me = machine.get("/api/v1/auth/me", headers=bearer).json()
        assert me["permissions"] == ["bulletin:read"] and me["via"] == "api_key"
        listed = api.get("/api/v1/auth/api-keys").json()
        assert all("key" not in k and "secret_hash" not in k for k in listed)
        api.delete(f"/api/v1/auth/api-keys/{made['id']}", headers=headers)
        assert machine.get("/api/v1/auth/me", headers=bearer).status_code == 401
        wrong = made["key"][:-4] + "AAAA"
        assert (
            machine.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {wrong}"}).status_code
            == 401
        )
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    expired = api.post(
        "/api/v1/auth/api-keys",
        json={"name": "k", "scopes": ["bulletin:read"], "expires_at": past},
        headers=headers,
    )
    assert expired.status_code == 422 and expired.json()["error"]["field"] == "expires_at"


def test_a_one_time_password_must_be_changed_first(
    api: TestClient, engine: Engine, analyst: Person
) -> None:
    with transaction(engine) as session:
        session.execute(update(UserRow).values(must_change_password=True))
    csrf = login(api)
    headers = {"X-CSRF-Token": csrf}
    blocked = api.post(
        "/api/v1/auth/api-keys", json={"name": "k", "scopes": ["bulletin:read"]}, headers=headers
    )
    assert blocked.status_code == 403
    assert api.get("/api/v1/users").status_code == 403
    weak = api.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=headers,
    )
    assert weak.status_code == 422 and weak.json()["error"]["field"] == "new_password"
    done = api.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a new and long secret!"},
        headers=headers,
    )
    assert done.status_code == 200
    assert api.get("/api/v1/auth/me").json()["must_change_password"] is False


def test_changing_the_password_ends_the_other_sessions(
    api: TestClient, engine: Engine, settings: Settings, analyst: Person
) -> None:
    with TestClient(create_app(settings)) as elsewhere:
        login(elsewhere)
        csrf = login(api)
        changed = api.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "another long secret!"},
            headers={"X-CSRF-Token": csrf},
        )
        assert changed.status_code == 200
        assert api.get("/api/v1/auth/me").status_code == 200
        assert elsewhere.get("/api/v1/auth/me").status_code == 401
