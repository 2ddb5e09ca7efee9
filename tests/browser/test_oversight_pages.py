"""The oversight dashboard, the audit trail browser and complaints, in a real Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from qalxan.access import complaints
from qalxan.access.complaint_routing import Subject
from qalxan.access.periods import zone_of
from qalxan.settings import Settings
from tests.browser.conftest import shoot
from tests.browser.test_access_pages import PASSWORD, sign_in
from tests.people import load_bundled, make_person
from tests.web.test_oversight_pages import injected

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ombudsman(server_engine: Engine, server_settings: Settings) -> str:
    """An oversight user of the test server, and a March 2026 of recorded access to oversee."""
    person = make_person(
        server_engine,
        server_settings,
        "ombudsman",
        "agency-ombudsman",
        ["oversight"],
        "secret",
        with_key=False,
    )
    injected(server_engine, server_settings)
    complaints.file(
        person.ctx(server_engine, server_settings),
        load_bundled(),
        complaints.Filing(
            "screening_match",
            "Elvin Rzayev",
            "Stopped at the airport on a name match; never answered.",
            subject=Subject(agency_id="agency-sbs"),
        ),
        zone_of(server_settings.timezone),
        now=datetime(2026, 3, 2, 10, tzinfo=UTC),
    )
    return "ombudsman"


def enter(page: Page, user: str, path: str) -> None:
    page.goto(path)
    sign_in(page, user, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def test_dashboard_for_a_period_with_anomalies_and_a_chain_check(
    page: Page, ombudsman: str
) -> None:
    enter(page, ombudsman, "/oversight")
    expect(page.get_by_role("link", name="Oversight")).to_have_attribute("aria-current", "page")
    expect(page.locator(".marking").first).to_have_text("RESTRICTED - FOR OFFICIAL USE")
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-03-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"since=2026-03-01&until=2026-03-31"))
    anomalies = page.locator("#anomaly-list > li")
    expect(anomalies).to_have_count(3)
    expect(anomalies.first).to_contain_text("60 reads on Wednesday 2026-03-11")
    expect(page.locator("#user-stats tr[data-user='k.huseynov']")).to_contain_text("60")
    expect(page.locator("#agency-stats")).to_contain_text("State Border Service")
    expect(page.locator("#summary-table")).to_contain_text("false_positive: 1")
    expect(page.locator("#summary-table tr[data-agency='agency-sbs'] td.bad")).to_have_text("1")
    expect(page.locator("#download-report")).to_have_attribute(
        "href", "/api/v1/oversight/report?since=2026-03-01&until=2026-04-01"
    )
    shoot(page, "oversight-dashboard")

    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verdict")).to_contain_text("Intact")
    shoot(page, "oversight-verify")
    page.goto("/oversight?lang=az&since=2026-03-01&until=2026-03-31")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nəzarət paneli")
    page.goto("/oversight?lang=en")


def test_filter_the_audit_trail_and_page_on(page: Page, ombudsman: str) -> None:
    enter(page, ombudsman, "/oversight/audit")
    page.get_by_label("Actor's agency").select_option("agency-mia")
    page.get_by_label("Action", exact=True).fill("bulletin.")
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-03-31")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#trail tbody tr")
    expect(rows).to_have_count(50)
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(13)
    expect(page.locator("#trail tr.refused")).to_contain_text("r.aliyev")
    expect(page.get_by_label("Action", exact=True)).to_have_value("bulletin.")
    shoot(page, "oversight-audit")
    page.locator("#trail tr.refused").get_by_role("link", name="r.aliyev").click()
    expect(rows).to_have_count(3)


def test_register_a_complaint_and_move_it_on(page: Page, ombudsman: str) -> None:
    enter(page, ombudsman, "/oversight/complaints")
    page.get_by_label("Kind").select_option("record")
    page.get_by_label("Complainant").fill("Aysel Quliyeva")
    page.get_by_label("Contact (optional)").fill("aysel@example.az")
    page.get_by_label("Description").fill("A border alert about me is wrong: I never left Baku.")
    page.get_by_label("Contested record type").select_option("screening")
    page.get_by_label("Contested record id").fill("hit-77")
    page.get_by_label("Agency", exact=True).select_option("agency-sbs")
    page.get_by_role("button", name="Register complaint").click()
    expect(page.locator(".notice")).to_contain_text("registered and routed")
    expect(page.locator("#status")).to_have_text("received")
    page.get_by_label("New status").select_option("acknowledged")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".notice")).to_contain_text("has been updated")
    page.get_by_label("New status").select_option("under_review")
    page.get_by_label("Note", exact=True).fill("Asked the State Border Service for the alert.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_have_text("under review")
    expect(page.locator("#events tbody tr")).to_have_count(3)
    shoot(page, "oversight-complaint")
    page.get_by_role("link", name="Complaints", exact=True).last.click()
    expect(page.locator("#complaints")).to_contain_text("Aysel Quliyeva")
    expect(page.locator("#complaints tr.overdue")).to_contain_text("Elvin Rzayev")
    shoot(page, "oversight-complaints")
