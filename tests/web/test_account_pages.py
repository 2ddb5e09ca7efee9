"""The account pages: sign in and out, the forced password change, API keys, CSRF on every form."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from qalxan.access import accounts
from qalxan.access.tables import ApiKeyRow, SessionRow
from qalxan.doctrine.registry import Doctrine
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web import routers
from qalxan.web.app import create_app
from tests.people import Person, make_person, operator

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a much longer passphrase 42"
HTML = {"accept": "text/html"}
FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


def page_posts() -> list[str]:
    """The paths of every page form (routes left out of the API schema) of every router."""
    found = []
    for info in pkgutil.iter_modules(routers.__path__):
        module = importlib.import_module(f"{routers.__name__}.{info.name}")
        for route in module.router.routes:
            page = isinstance(route, APIRoute) and not route.include_in_schema
            if page and "POST" in route.methods:
                found.append(route.path)
    return found


def csrf_of(html: str) -> str:
    found = FIELD.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(
    client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/"
) -> str:
    """Sign in through the form; returns the session's CSRF token, read from a page form."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "next": next_path, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account/password").text)


@pytest.fixture
def web(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def analyst(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "aliyev", "agency-mia", ["analyst"], "confidential")


def test_login_form_sets_a_double_submit_token(web: TestClient) -> None:
    response = web.get("/login")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("qalxan_login_csrf=")
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=1800" in cookie
    assert csrf_of(response.text) == web.cookies["qalxan_login_csrf"]
    assert 'autocomplete="current-password"' in response.text


def test_login_without_or_with_a_forged_token_is_refused(web: TestClient, analyst: Person) -> None:
    web.get("/login")
    body = {"username": "aliyev", "password": PASSWORD}
    missing = web.post("/login", data=body)
    forged = web.post("/login", data={**body, "csrf_token": "x" * 43})
    for response in (missing, forged):
        assert response.status_code == 403
        assert "The sign-in form had expired" in response.text
        assert "qalxan_session" not in response.headers.get("set-cookie", "")
    # A token without its cookie (another browser's) does not work either.
    token = csrf_of(web.get("/login").text)
    web.cookies.delete("qalxan_login_csrf")
    assert web.post("/login", data={**body, "csrf_token": token}).status_code == 403


def test_login_redirects_to_a_local_next_and_sets_the_session_cookie(
    web: TestClient, analyst: Person
) -> None:
    token = csrf_of(web.get("/login?next=/doctrine").text)
    form = {"username": "Aliyev", "password": PASSWORD, "next": "/doctrine", "csrf_token": token}
    response = web.post("/login", data=form)
    assert response.status_code == 303 and response.headers["location"] == "/doctrine"
    cookies = response.headers.get_list("set-cookie")
    session = next(c.lower() for c in cookies if c.startswith("qalxan_session="))
    assert "httponly" in session and "samesite=strict" in session and "path=/" in session
    assert any(c.startswith("qalxan_login_csrf=") and "max-age=0" in c.lower() for c in cookies)
    page = web.get("/doctrine").text
    assert "aliyev" in page and 'action="/logout"' in page and "Administration" not in page


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_login_never_redirects_off_site(web: TestClient, analyst: Person, target: str) -> None:
    token = csrf_of(web.get("/login").text)
    form = {"username": "aliyev", "password": PASSWORD, "next": target, "csrf_token": token}
    assert web.post("/login", data=form).headers["location"] == "/"


def test_wrong_password_and_missing_user_get_the_same_page(
    web: TestClient, analyst: Person
) -> None:
    answers = []
    for username in ("aliyev", "nobody"):
        token = csrf_of(web.get("/login").text)
        form = {"username": username, "password": "wrong password", "csrf_token": token}
        answers.append(web.post("/login", data=form))
    assert [a.status_code for a in answers] == [401, 401]
    messages = [re.search(r'role="alert">([^<]+)<', a.text) for a in answers]
    assert [m.group(1) for m in messages if m] == ["Wrong user name or password."] * 2
    assert "wrong password" not in answers[0].text  # the password is never sent back


def test_lockout_names_the_minutes_in_azerbaijani_too(
    web: TestClient, settings: Settings, analyst: Person
) -> None:
    for _ in range(settings.login_max_failures):
        token = csrf_of(web.get("/login").text)
        web.post("/login", data={"username": "aliyev", "password": "nope", "csrf_token": token})
    token = csrf_of(web.get("/login?lang=az").text)
    locked = web.post(
        "/login", data={"username": "aliyev", "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429
    minutes = settings.login_lockout_minutes
    assert f"{minutes} dəq" in locked.text


def test_protected_pages_send_anonymous_browsers_to_sign_in(web: TestClient) -> None:
    for path in ("/account", "/account/password", "/admin/users", "/admin/units?x=1"):
        response = web.get(path, headers=HTML)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=%2F")
    assert web.get("/admin/units?x=1").headers["location"] == "/login?next=%2Fadmin%2Funits%3Fx%3D1"
    public = web.get("/doctrine", headers=HTML).text
    assert 'href="/login?next=/doctrine"' in public and 'action="/logout"' not in public


def test_first_login_with_a_one_time_password_forces_a_change(
    web: TestClient, engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    _, one_time = accounts.create(
        operator(engine, settings),
        doctrine,
        username="huseynova",
        display_name="Leyla Huseynova",
        agency_id="agency-sbs",
        roles=["duty_officer"],
    )
    assert one_time is not None
    token = csrf_of(web.get("/login").text)
    form = {"username": "huseynova", "password": one_time, "next": "/doctrine", "csrf_token": token}
    response = web.post("/login", data=form)
    assert response.headers["location"] == "/account/password"
    # Nothing else opens until the password is changed (the public doctrine still does).
    assert web.get("/account", headers=HTML).headers["location"] == "/account/password"
    assert web.get("/api/v1/auth/api-keys").status_code == 403
    page = web.get("/account/password")
    assert "one-time password" in page.text
    csrf = csrf_of(page.text)
    change = {"current_password": one_time, "new_password": NEW_PASSWORD}
    assert web.post("/account/password", data=change).status_code == 403
    mismatch = web.post(
        "/account/password",
        data={**change, "confirm_password": "something else", "csrf_token": csrf},
    )
    assert mismatch.status_code == 422 and "does not match" in mismatch.text
    short = web.post(
        "/account/password",
        data={**change, "new_password": "short", "confirm_password": "short", "csrf_token": csrf},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    done = web.post(
        "/account/password",
        data={**change, "confirm_password": NEW_PASSWORD, "csrf_token": csrf},
    )
    assert done.status_code == 303 and done.headers["location"] == "/account?done=password"
    profile = web.get(done.headers["location"])
    assert profile.status_code == 200 and "Your password has been changed." in profile.text
    assert "Leyla Huseynova" in profile.text and "State Border Service" in profile.text


def test_logout_needs_the_csrf_token_and_ends_the_session(
    web: TestClient, engine: Engine, analyst: Person
) -> None:
    csrf = sign_in(web, "aliyev")
    assert web.post("/logout", data={}).status_code == 403
    assert web.post("/logout", data={"csrf_token": "0" * 64}).status_code == 403
    assert web.get("/account").status_code == 200  # still signed in
    token = web.cookies["qalxan_session"]
    response = web.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert 'qalxan_session=""' in response.headers["set-cookie"]
    with transaction(engine) as session:
        [row] = session.scalars(select(SessionRow)).all()
        assert row.revoked_at is not None
    web.cookies.set("qalxan_session", token)  # replaying the old cookie does not work
    assert web.get("/account").status_code == 303


def test_signed_in_login_page_goes_on(web: TestClient, analyst: Person) -> None:
    sign_in(web, "aliyev")
    assert web.get("/login?next=/doctrine").headers["location"] == "/doctrine"


def test_api_keys_are_made_once_shown_and_revoked_from_the_profile(
    web: TestClient, engine: Engine, analyst: Person
) -> None:
    csrf = sign_in(web, "aliyev")
    profile = web.get("/account").text
    assert "Confidential" in profile and "Analyst" in profile
    assert 'value="bulletin:read"' in profile and 'value="users:manage"' not in profile
    beyond = web.post(
        "/account/api-keys",
        data={"name": "feed", "scopes": ["users:manage"], "csrf_token": csrf},
    )
    assert beyond.status_code == 422 and "is not one of your permissions" in beyond.text
    made = web.post(
        "/account/api-keys",
        data={
            "name": "feed",
            "scopes": ["bulletin:read"],
            "expires_at": "2999-01-01",
            "csrf_token": csrf,
        },
    )
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    found = re.search(r'id="new-key">(qx_[^<]+)<', made.text)
    assert found is not None
    key = found.group(1)
    me = web.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert me["permissions"] == ["bulletin:read"]
    assert key not in web.get("/account").text  # shown once only
    with transaction(engine) as session:
        row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.name == "feed")).one()
    assert web.post(f"/account/api-keys/{row.id}/revoke", data={}).status_code == 403
    revoked = web.post(f"/account/api-keys/{row.id}/revoke", data={"csrf_token": csrf})
    assert revoked.headers["location"] == "/account?done=revoked"
    assert web.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_every_page_form_refuses_a_post_without_the_csrf_token(
    web: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_person(engine, settings, "root", "agency-sss", ["platform_admin"], "top_secret")
    sign_in(web, "root")
    posts = page_posts()
    assert {"/login", "/logout", "/account/password", "/admin/users", "/admin/units"} <= set(posts)
    for path in posts:
        url = path.replace("{user_id}", admin.user.id).replace("{key_id}", "k")
        response = web.post(url, data={"username": "x", "name": "y"}, headers=HTML)
        assert response.status_code == 403, (path, response.status_code)
        # A script posting JSON with the session cookie needs the header token instead.
        assert web.post(url, json={"name": "y"}).status_code == 403, path
    assert web.get("/account").status_code == 200  # none of them signed the user out
