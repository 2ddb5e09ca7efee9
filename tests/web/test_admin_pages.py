"""The administration pages: making units and accounts, changing them, and who may do what."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from qalxan.access import throttle
from qalxan.access.tables import UnitRow, UserRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web.app import create_app
from tests.people import Person, make_person
from tests.web.test_account_pages import HTML, csrf_of, sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def web(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def root(engine: Engine, settings: Settings) -> Person:
    return make_person(
        engine, settings, "root", "agency-sss", ["platform_admin"], "top_secret", with_key=False
    )


@pytest.fixture
def sbs_admin(engine: Engine, settings: Settings) -> Person:
    return make_person(
        engine,
        settings,
        "sbs.admin",
        "agency-sbs",
        ["agency_admin"],
        "confidential",
        with_key=False,
    )


def user_row(engine: Engine, username: str) -> UserRow | None:
    with transaction(engine) as session:
        return session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()


def one_time_of(html: str) -> str:
    found = re.search(r'id="one-time-password">([^<]+)<', html)
    assert found is not None, "no one-time password on the page"
    return found.group(1)


def test_non_administrators_get_the_html_403_page(
    web: TestClient, engine: Engine, settings: Settings
) -> None:
    make_person(engine, settings, "aliyev", "agency-mia", ["analyst"], with_key=False)
    csrf = sign_in(web, "aliyev")
    assert "Administration" not in web.get("/doctrine").text
    for path in ("/admin/users", "/admin/units"):
        response = web.get(path, headers=HTML)
        assert response.status_code == 403 and "text/html" in response.headers["content-type"]
        assert "you do not administer accounts" in response.text
    made = web.post(
        "/admin/units", data={"csrf_token": csrf, "agency_id": "agency-mia", "name": "X"}
    )
    assert made.status_code == 403
    with transaction(engine) as session:
        assert session.scalars(select(UnitRow)).all() == []


def test_platform_admin_makes_a_unit_and_an_account_that_must_change_its_password(
    web: TestClient, engine: Engine, root: Person
) -> None:
    csrf = sign_in(web, "root")
    users = web.get("/admin/users").text
    assert "Administration" in users and 'value="platform_admin"' in users
    assert users.count('<option value="agency-') > 50  # every agency of the doctrine
    assert 'value="top_secret"' in users  # up to the administrator's own clearance
    made = web.post(
        "/admin/units",
        data={
            "csrf_token": csrf,
            "agency_id": "agency-sbs",
            "name": "Duty centre",
            "name_az": "Növbətçi mərkəz",
            "functions": ["duty_centre", "border_crossing"],
        },
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/admin/units?done")
    units_page = web.get(made.headers["location"]).text
    assert "The unit has been made." in units_page and 'lang="az">Növbətçi mərkəz' in units_page
    assert "Border crossing point" in units_page
    with transaction(engine) as session:
        unit = session.scalars(select(UnitRow)).one()
    assert unit.functions == ["border_crossing", "duty_centre"]
    created = web.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "Mammadov",
            "display_name": "Rashad Mammadov",
            "email": "r.mammadov@example.az",
            "agency_id": "agency-sbs",
            "unit_id": unit.id,
            "roles": ["duty_officer", "analyst"],
            "clearance": "secret",
        },
    )
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    one_time = one_time_of(created.text)
    user = user_row(engine, "mammadov")
    assert user is not None and user.unit_id == unit.id and user.must_change_password
    assert user.roles == ["analyst", "duty_officer"] and user.email == "r.mammadov@example.az"
    assert one_time not in web.get(f"/admin/users/{user.id}").text  # shown once only
    listing = web.get("/admin/users").text
    assert 'data-user="mammadov"' in listing and "one-time password" in listing
    # The new account signs in with the one-time password and is sent to change it.
    with TestClient(web.app, follow_redirects=False) as other:
        token = csrf_of(other.get("/login").text)
        form = {"username": "mammadov", "password": one_time, "csrf_token": token}
        assert other.post("/login", data=form).headers["location"] == "/account/password"


def test_form_errors_come_back_with_the_values_and_the_reason(
    web: TestClient, engine: Engine, root: Person
) -> None:
    csrf = sign_in(web, "root")
    base = {"csrf_token": csrf, "display_name": "Root again", "agency_id": "agency-sss"}
    taken = web.post("/admin/users", data={**base, "username": "root", "roles": ["analyst"]})
    assert taken.status_code == 409 and "is taken" in taken.text
    assert 'value="Root again"' in taken.text and 'role="alert"' in taken.text
    no_role = web.post("/admin/users", data={**base, "username": "nobody"})
    assert no_role.status_code == 422 and "at least one role" in no_role.text
    email = web.post(
        "/admin/users", data={**base, "username": "x.y", "roles": ["analyst"], "email": "no"}
    )
    assert email.status_code == 422 and "not a valid e-mail address" in email.text
    unit = web.post("/admin/units", data={"csrf_token": csrf, "agency_id": "agency-sss"})
    assert unit.status_code == 422 and "name: must not be empty" in unit.text
    assert user_row(engine, "nobody") is None


def test_agency_admin_cannot_make_platform_admins_or_other_agencies_accounts(
    web: TestClient, engine: Engine, sbs_admin: Person
) -> None:
    csrf = sign_in(web, "sbs.admin")
    page = web.get("/admin/users").text
    assert 'value="agency_admin"' in page
    assert 'value="platform_admin"' not in page and 'value="oversight"' not in page
    assert re.findall(r'<option value="(agency-[^"]+)"', page) == ["agency-sbs"]
    assert 'value="secret"' not in page and 'value="confidential"' in page
    base = {"csrf_token": csrf, "display_name": "X", "clearance": "restricted"}
    # A hand-made form cannot get round what the page leaves out: the core refuses.
    admin = web.post(
        "/admin/users",
        data={**base, "username": "sneaky", "agency_id": "agency-sbs", "roles": ["platform_admin"]},
    )
    assert admin.status_code == 403 and "only a platform administrator" in admin.text
    other = web.post(
        "/admin/users",
        data={**base, "username": "sneaky", "agency_id": "agency-mia", "roles": ["analyst"]},
    )
    assert other.status_code == 403 and "do not administer this agency" in other.text
    higher = web.post(
        "/admin/users",
        data={**base, "username": "sneaky", "agency_id": "agency-sbs", "roles": ["analyst"]}
        | {"clearance": "top_secret"},
    )
    assert higher.status_code == 403 and "above your own" in higher.text
    assert user_row(engine, "sneaky") is None
    unit = web.post(
        "/admin/units", data={"csrf_token": csrf, "agency_id": "agency-mia", "name": "Theirs"}
    )
    assert unit.status_code == 403
    mine = web.post(
        "/admin/units", data={"csrf_token": csrf, "agency_id": "agency-sbs", "name": "Ours"}
    )
    assert mine.status_code == 303


def test_agency_admin_sees_only_their_agency(
    web: TestClient, engine: Engine, settings: Settings, sbs_admin: Person
) -> None:
    foreign = make_person(engine, settings, "mia.user", "agency-mia", ["analyst"], with_key=False)
    colleague = make_person(
        engine, settings, "sbs.user", "agency-sbs", ["duty_officer"], with_key=False
    )
    sign_in(web, "sbs.admin")
    listing = web.get("/admin/users").text
    assert 'data-user="sbs.user"' in listing and 'data-user="mia.user"' not in listing
    assert web.get(f"/admin/users/{foreign.user.id}", headers=HTML).status_code == 404
    assert web.get(f"/admin/users/{colleague.user.id}").status_code == 200


def test_edit_roles_clearance_unit_and_disable(
    web: TestClient, engine: Engine, settings: Settings, root: Person
) -> None:
    target = make_person(engine, settings, "target", "agency-sbs", ["reporter"], "restricted")
    csrf = sign_in(web, "root")
    web.post("/admin/units", data={"csrf_token": csrf, "agency_id": "agency-sbs", "name": "Unit A"})
    with transaction(engine) as session:
        unit = session.scalars(select(UnitRow)).one()
    page = web.get(f"/admin/users/{target.user.id}").text
    assert 'name="username"' not in page  # a user name never changes
    form = {
        "csrf_token": csrf,
        "display_name": "Target Person",
        "email": "",
        "unit_id": unit.id,
        "roles": ["analyst", "reporter"],
        "clearance": "secret",
    }
    saved = web.post(f"/admin/users/{target.user.id}", data=form)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    assert "Changes saved." in web.get(saved.headers["location"]).text
    user = user_row(engine, "target")
    assert user is not None
    assert (user.display_name, user.unit_id, user.roles, user.clearance) == (
        "Target Person",
        unit.id,
        ["analyst", "reporter"],
        3,
    )
    # The key made with the account still works until the account is disabled.
    assert web.get("/api/v1/auth/me", headers=target.headers).status_code == 200
    disabled = web.post(f"/admin/users/{target.user.id}", data={**form, "disabled": "1"})
    assert disabled.status_code == 303
    user = user_row(engine, "target")
    assert user is not None and user.disabled
    assert web.get("/api/v1/auth/me", headers=target.headers).status_code == 401
    # Nobody removes their own roles or disables themselves through the form.
    own = web.post(
        f"/admin/users/{root.user.id}",
        data={
            "csrf_token": csrf,
            "display_name": "root",
            "roles": ["analyst"],
            "clearance": "top_secret",
        },
    )
    assert own.status_code == 403 and "your own roles" in own.text


def test_agency_admin_keeps_roles_they_cannot_give(
    web: TestClient, engine: Engine, settings: Settings, sbs_admin: Person
) -> None:
    overseer = make_person(
        engine, settings, "sbs.overseer", "agency-sbs", ["oversight"], "restricted", with_key=False
    )
    csrf = sign_in(web, "sbs.admin")
    page = web.get(f"/admin/users/{overseer.user.id}").text
    assert "only a platform administrator can change this" in page
    # Changing only the name leaves the restricted role alone.
    form = {"csrf_token": csrf, "display_name": "Overseer", "clearance": "restricted"}
    assert web.post(f"/admin/users/{overseer.user.id}", data=form).status_code == 303
    user = user_row(engine, "sbs.overseer")
    assert user is not None and user.roles == ["oversight"] and user.display_name == "Overseer"


def test_reset_password_shows_a_one_time_password_and_unlock_forgives_failures(
    web: TestClient, engine: Engine, settings: Settings, root: Person
) -> None:
    target = make_person(engine, settings, "target", "agency-sbs", ["reporter"], with_key=False)
    csrf = sign_in(web, "root")
    with TestClient(web.app, follow_redirects=False) as other:
        for _ in range(settings.login_max_failures):
            token = csrf_of(other.get("/login").text)
            other.post("/login", data={"username": "target", "password": "x", "csrf_token": token})
    page = web.get(f"/admin/users/{target.user.id}").text
    assert "locked for" in page
    unlocked = web.post(f"/admin/users/{target.user.id}/unlock", data={"csrf_token": csrf})
    assert unlocked.headers["location"].endswith(f"forgiven={settings.login_max_failures}")
    assert "Failed sign-ins forgiven: 5." in web.get(unlocked.headers["location"]).text
    with transaction(engine) as session:
        limits = throttle.Limits(settings.login_max_failures)
        assert throttle.locked_for(session, "target", None, limits) == 0
    reset = web.post(f"/admin/users/{target.user.id}/reset-password", data={"csrf_token": csrf})
    assert reset.status_code == 200
    one_time = one_time_of(reset.text)
    with TestClient(web.app, follow_redirects=False) as other:
        token = csrf_of(other.get("/login").text)
        form = {"username": "target", "password": one_time, "csrf_token": token}
        assert other.post("/login", data=form).headers["location"] == "/account/password"


def test_admin_pages_in_azerbaijani(web: TestClient, root: Person) -> None:
    sign_in(web, "root")
    page = web.get("/admin/users?lang=az").text
    assert "Yeni hesab" in page and "Platforma administratoru" in page
    assert "Buraxılış səviyyəniz" in page and "Xüsusi əhəmiyyətli" in page
