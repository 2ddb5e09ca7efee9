"""Signing in, the forced password change, and administration, in a real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from qalxan.settings import Settings
from tests.browser.conftest import shoot
from tests.people import make_person

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "my own passphrase, 2024"


@pytest.fixture(scope="module")
def chief(server_engine: Engine, server_settings: Settings) -> str:
    """A platform administrator of the test server."""
    make_person(
        server_engine,
        server_settings,
        "chief",
        "agency-sss",
        ["platform_admin"],
        "top_secret",
        with_key=False,
    )
    return "chief"


@pytest.fixture
def second_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """Another browser with cookies of its own, for a second person."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_through_the_form_and_sign_out(page: Page, chief: str) -> None:
    page.goto("/admin/users")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2Fusers$"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    shoot(page, "login")
    sign_in(page, chief, PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.locator(".userbar")).to_contain_text("chief")
    expect(page.locator(".userbar")).to_contain_text("Top secret")
    expect(page.get_by_role("link", name="Administration")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#accounts")).to_contain_text("chief")
    shoot(page, "admin-users")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".userbar")).to_have_count(0)
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))


def test_wrong_password_in_azerbaijani(page: Page, chief: str) -> None:
    page.goto("/login?lang=az")
    page.get_by_label("İstifadəçi adı").fill(chief)
    page.get_by_label("Parol", exact=True).fill("not the password")
    page.get_by_role("button", name="Daxil ol").click()
    expect(page.get_by_role("alert")).to_have_text("İstifadəçi adı və ya parol yanlışdır.")
    expect(page.get_by_label("İstifadəçi adı")).to_have_value(chief)
    expect(page.get_by_label("Parol", exact=True)).to_have_value("")
    shoot(page, "login-error-az")


def test_admin_makes_a_unit_and_an_account_whose_first_sign_in_forces_a_new_password(
    page: Page, second_page: Page, chief: str
) -> None:
    page.goto("/login")
    sign_in(page, chief, PASSWORD)
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Units").click()
    expect(page.get_by_role("heading", name=re.compile("Units"))).to_be_visible()
    page.get_by_label("Agency", exact=True).select_option("agency-sbs")
    page.get_by_label("Name", exact=True).fill("Astara border crossing")
    page.get_by_label("Name in Azerbaijani (optional)").fill("Astara sərhəd buraxılış məntəqəsi")
    page.get_by_label("Border crossing point").check()
    page.get_by_label("Duty centre").check()
    page.get_by_role("button", name="Make unit").click()
    expect(page.locator(".notice")).to_contain_text("The unit has been made.")
    row = page.locator("#units tr[data-unit='Astara border crossing']")
    expect(row).to_contain_text("State Border Service")
    expect(row).to_contain_text("Border crossing point")
    shoot(page, "admin-units")

    page.get_by_role("link", name="Accounts").click()
    page.get_by_label("User name").fill("n.aliyeva")
    page.get_by_label("Full name").fill("Nigar Aliyeva")
    page.get_by_label("Agency", exact=True).select_option("agency-sbs")
    page.get_by_label("Unit", exact=True).select_option(label="Astara border crossing")
    page.get_by_label("Clearance").select_option("restricted")
    page.get_by_label("Duty officer").check()
    page.get_by_role("button", name="Make account").click()
    secret = page.locator("#one-time-password")
    expect(secret).to_be_visible()
    one_time = secret.inner_text().strip()
    assert len(one_time) >= 16
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nigar Aliyeva")
    shoot(page, "admin-user-created")

    # The new officer signs in elsewhere with the one-time password and must choose their own.
    other = second_page
    other.goto("/doctrine")
    other.get_by_role("link", name="Sign in").click()
    sign_in(other, "n.aliyeva", one_time)
    expect(other).to_have_url(re.compile(r"/account/password$"))
    expect(other.locator(".notice")).to_contain_text("one-time password")
    shoot(other, "password-change-forced")
    other.goto("/account")
    expect(other).to_have_url(re.compile(r"/account/password$"))
    other.get_by_label("One-time password").fill(one_time)
    other.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    other.get_by_label("New password again").fill(NEW_PASSWORD)
    other.get_by_role("button", name="Change password").click()
    expect(other).to_have_url(re.compile(r"/account\?done=password$"))
    expect(other.locator(".notice")).to_contain_text("Your password has been changed.")
    expect(other.locator("dl.facts")).to_contain_text("Astara border crossing")
    expect(other.locator("dl.facts")).to_contain_text("Duty officer")
    expect(other.get_by_role("link", name="Administration")).to_have_count(0)
    other.get_by_label("Name", exact=True).fill("Duty log feed")
    other.get_by_label("bulletin:read").check()
    other.get_by_role("button", name="Make key").click()
    expect(other.locator("#new-key")).to_contain_text("qx_")
    shoot(other, "account-profile")
    response = other.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(other.locator("section.error")).to_contain_text("you do not administer accounts")

    # Back in the administrator's browser, the account is now active; disable it.
    page.goto("/admin/users")
    page.locator("#accounts").get_by_role("link", name="n.aliyeva").click()
    expect(page.locator("dl.facts")).to_contain_text("active")
    page.get_by_label("Account disabled").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".notice")).to_contain_text("Changes saved.")
    expect(page.locator("dl.facts")).to_contain_text("disabled")
    shoot(page, "admin-user-edit")
    other.goto("/account")
    expect(other).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
