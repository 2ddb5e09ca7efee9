"""A report filed on the map by one agency, seen live and worked as a case by another, in a real
Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from qalxan.settings import Settings
from qalxan.web.maps import country_map
from tests.browser.conftest import shoot
from tests.browser.test_access_pages import PASSWORD, sign_in
from tests.people import make_person

pytestmark = pytest.mark.browser
ASTARA = (38.47, 48.80)  # lat, lon: inland of the border town on the Caspian coast
NARRATIVE = "Border guards detained two men carrying 12 kg of heroin across the border near Astara."


@pytest.fixture(scope="module")
def officers(server_engine: Engine, server_settings: Settings) -> tuple[str, str]:
    """Duty officers of the lead agency for 3.5 (border) and of a supporting one."""
    for name, agency in (("sbs.officer", "agency-sbs"), ("sss.officer", "agency-sss")):
        make_person(server_engine, server_settings, name, agency, ["duty_officer"], with_key=False)
    return "sbs.officer", "sss.officer"


@pytest.fixture
def other_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A second browser with cookies of its own, for the other agency's officer."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def enter(page: Page, user: str, path: str) -> None:
    page.goto(path)
    sign_in(page, user, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def click_on_map(page: Page, lat: float, lon: float) -> None:
    """Click the report form's map where the server draws ``lat``/``lon``."""
    frame = country_map().frame
    x, y = frame.project(lon, lat)
    svg = page.locator("#pick-map")
    box = svg.bounding_box()
    assert box is not None
    svg.click(position={"x": x / frame.width * box["width"], "y": y / frame.height * box["height"]})


def test_report_on_the_map_then_a_supporting_agency_works_the_case(
    page: Page, other_page: Page, officers: tuple[str, str]
) -> None:
    sbs, sss = officers
    # The supporting agency's officer watches the queue while the report is filed.
    enter(other_page, sss, "/incidents")
    expect(other_page.get_by_role("link", name="Incidents")).to_have_attribute(
        "aria-current", "page"
    )

    enter(page, sbs, "/reports/new")
    page.get_by_label("Narrative").fill(NARRATIVE)
    click_on_map(page, *ASTARA)
    lat = float(page.locator("#lat").input_value())
    lon = float(page.locator("#lon").input_value())
    assert 38.3 < lat < 41.95 and 44.7 < lon < 50.7  # inside Azerbaijan
    assert abs(lat - ASTARA[0]) < 0.03 and abs(lon - ASTARA[1]) < 0.03
    expect(page.locator("#pick-map-district")).to_contain_text("Astara")
    expect(page.locator("#pick-map .marker")).to_be_visible()
    page.get_by_label("Source (optional)", exact=True).fill("border patrol")
    page.get_by_label("Source reliability").select_option("B")
    page.get_by_label("Information credibility").select_option("2")
    shoot(page, "intake-report-form")
    page.get_by_role("button", name="File the report").click()

    expect(page).to_have_url(re.compile(r"/incidents/\w+\?filed=\w+$"))
    expect(page.locator("#filed")).to_contain_text("Your report started a new incident.")
    incident_id = page.url.split("/incidents/")[1].split("?")[0]
    routing = page.locator("#routing-table")
    expect(routing.locator("tr[data-agency='agency-sbs']")).to_contain_text("lead")
    expect(routing.locator("tr[data-agency='agency-sss']")).to_contain_text("supporting")
    expect(page.locator("#incident-facts")).to_contain_text("3.5")
    expect(page.locator("#incident-map .marker")).to_be_visible()
    shoot(page, "intake-incident")

    # The open queue hears of it through the live stream, then shows it after a reload.
    notice = other_page.locator("#incident-queue tr.live-notice")
    expect(notice).to_contain_text("1 new or changed incident", timeout=15_000)
    shoot(other_page, "intake-queue-live")
    notice.get_by_role("link").click()
    row = other_page.locator(f"#incident-queue tr[data-incident='{incident_id}']")
    expect(row).to_have_class("to-acknowledge")
    expect(row).to_contain_text("acknowledge by")
    shoot(other_page, "intake-queue")

    row.get_by_role("link").first.click()
    expect(other_page.locator("#my-routing")).to_contain_text("Routed to your agency")
    other_page.get_by_role("button", name="Acknowledge and open our case").click()
    expect(other_page).to_have_url(re.compile(r"/cases/\w+\?done=opened$"))
    expect(other_page.locator("#case-status")).to_have_text("Open")
    other_page.get_by_role("button", name="Move to In progress").click()
    expect(other_page.locator("#case-status")).to_have_text("In progress")
    other_page.get_by_label("New task").fill("Question the two detainees")
    other_page.get_by_role("button", name="Add the task").click()
    expect(other_page.locator("#task-list")).to_contain_text("Question the two detainees")
    other_page.get_by_label("Comment", exact=True).fill("Our Astara office is informed.")
    other_page.get_by_role("button", name="Add the comment").click()
    timeline = other_page.locator("#case-timeline > li")
    expect(timeline).to_have_count(4)
    expect(timeline.last).to_contain_text("Our Astara office is informed.")
    shoot(other_page, "intake-case")
    other_page.get_by_role("link", name="Cases", exact=True).first.click()
    expect(other_page.locator("#case-queue tbody tr")).to_have_count(1)
    shoot(other_page, "intake-cases")
    other_page.goto(f"/incidents/{incident_id}?lang=az")
    expect(other_page.locator("#my-routing")).to_contain_text("Qurumunuz qəbulu təsdiqləyib")
    shoot(other_page, "intake-incident-az")
