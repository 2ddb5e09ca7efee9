"""The warning desk in a real Chromium: an emergency manager writes an earthquake warning for
two districts in Azerbaijani and English on the map, previews it and submits it; they cannot
approve it themselves; a second emergency manager approves it from the queue and issues it; it
is in force and its public CAP document validates; then a cancellation ends it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from qalxan.alerts import parse_alert, validate_alert
from qalxan.settings import Settings
from qalxan.web.maps import country_map
from tests.browser.conftest import shoot
from tests.browser.test_intake_pages import enter
from tests.people import make_person

pytestmark = pytest.mark.browser
ISMAYILLI = (40.79, 48.15)  # lat, lon: the district's town
ALERT_URL = re.compile(r"/alerts/(\w+)\?done=(\w+)$")


@pytest.fixture(scope="module")
def managers(server_engine: Engine, server_settings: Settings) -> tuple[str, str]:
    """Two emergency managers of the Ministry of Emergency Situations."""
    for name in ("mes.author", "mes.approver"):
        make_person(
            server_engine,
            server_settings,
            name,
            "agency-mes",
            ["emergency_manager"],
            with_key=False,
        )
    return "mes.author", "mes.approver"


@pytest.fixture
def second(browser: Browser, base_url: str) -> Iterator[Page]:
    """A second browser with cookies of its own, for the approver."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def click_on_map(page: Page, lat: float, lon: float) -> None:
    frame = country_map().frame
    x, y = frame.project(lon, lat)
    svg = page.locator("#area-map")
    box = svg.bounding_box()
    assert box is not None
    svg.click(position={"x": x / frame.width * box["width"], "y": y / frame.height * box["height"]})


def alert_id_of(page: Page) -> str:
    found = ALERT_URL.search(page.url)
    assert found is not None, page.url
    return found.group(1)


def write_the_warning(page: Page) -> None:
    page.get_by_label("Geophysical").check()
    page.get_by_label("Urgency").select_option("Immediate")
    page.get_by_label("Severity").select_option("Severe")
    page.get_by_label("Certainty").select_option("Observed")
    page.get_by_label("Take shelter").check()
    texts = {
        "az": ("Zəlzələ", "Şamaxı və İsmayıllıda güclü zəlzələ", "Binalardan çıxın."),
        "en": ("Earthquake", "Strong earthquake in Shamakhi and Ismayilli", "Leave buildings."),
    }
    for lang, (event, headline, instruction) in texts.items():
        page.fill(f"#{lang}_event", event)
        page.fill(f"#{lang}_headline", headline)
        page.fill(f"#{lang}_instruction", instruction)
    page.fill("#parameters", "magnitude=5.8")


def test_an_earthquake_warning_from_the_map_to_the_public_and_its_cancellation(
    page: Page, second: Page, managers: tuple[str, str], server_settings: Settings
) -> None:
    author, approver = managers
    enter(page, author, "/alerts/new")
    write_the_warning(page)
    # The map follows the form: a district ticked in the list, another clicked on the map.
    page.check('input[name=district][value="AZ-SMI"]')
    area = page.locator("#area-map")
    expect(area.locator('.districts path[data-code="AZ-SMI"]')).to_have_class("chosen")
    click_on_map(page, *ISMAYILLI)
    expect(page.locator('input[name=district][value="AZ-ISM"]')).to_be_checked()
    expect(area.locator('.districts path[data-code="AZ-ISM"]')).to_have_class("chosen")
    page.fill("#circles", "40.63,48.64 20")
    expect(area.locator(".live path.circle")).to_have_count(1)
    page.fill("#circles", "")
    # The expiry forgotten: the core's refusal is shown next to the field, the form kept.
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#problems")).to_be_visible()
    expect(page.locator("#expires-error")).to_contain_text("alert/info[2]/expires")
    expect(page.locator("#expires")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#en_headline")).to_have_value(re.compile("Strong earthquake"))
    shoot(page, "alerts-form-problems")
    expires = datetime.now(ZoneInfo(server_settings.timezone)) + timedelta(hours=12)
    page.get_by_label("Expires").fill(expires.strftime("%Y-%m-%dT%H:%M"))
    # The server's preview: the document is valid and the districts' CAP polygons are outlined.
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-ok")).to_be_visible()
    for code in ("AZ-SMI", "AZ-ISM"):
        expect(area.locator(f'.outlines path.district[data-code="{code}"]').first).to_be_visible()
    expect(page.locator("#preview-xml")).to_contain_text("<areaDesc>İsmayıllı, Şamaxı</areaDesc>")
    shoot(page, "alerts-form-preview")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page).to_have_url(ALERT_URL)
    alert_id = alert_id_of(page)
    expect(page.locator("#alert-xml")).to_contain_text("<msgType>Alert</msgType>")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("status")).to_contain_text("approval queue")
    # Four eyes: the author is told to find someone else, and has nothing to approve with.
    expect(page.locator("#four-eyes")).to_be_visible()
    expect(page.locator("#approve-form")).to_have_count(0)
    shoot(page, "alerts-submitted")

    enter(second, approver, "/alerts/queue")
    waiting = second.locator(f'#waiting-table tr[data-alert="{alert_id}"]')
    expect(waiting).to_contain_text("mes.author")
    shoot(second, "alerts-queue")
    waiting.get_by_role("link").click()
    expect(second.locator("#approve-digest")).to_have_text(re.compile("^[0-9a-f]{64}$"))
    second.get_by_role("button", name="Approve for issue").click()
    expect(second.get_by_role("status")).to_contain_text("Approved")
    second.get_by_role("button", name="Issue now").click()
    expect(second.get_by_role("status")).to_contain_text("Issued")
    expect(second.locator("h1")).to_contain_text("in force")
    shoot(second, "alerts-issued")
    public = second.locator("#public-cap").get_attribute("href")
    assert public is not None
    served = second.request.get(public)
    assert served.ok and served.headers["content-type"].startswith("application/cap+xml")
    issued = parse_alert(served.body())
    assert validate_alert(issued, issuing=True).ok
    assert [info.language for info in issued.infos] == ["az", "en"]
    assert {g.value for area in issued.infos[0].areas for g in area.geocodes} == {
        "AZ-SMI",
        "AZ-ISM",
    }
    second.get_by_role("link", name="Warnings").first.click()
    listed = second.locator(f'#alerts-table tr[data-alert="{alert_id}"]')
    expect(listed).to_contain_text("Şamaxı və İsmayıllıda güclü zəlzələ")  # the first language
    shoot(second, "alerts-active")

    # The danger is over: the author drafts a cancellation, the approver issues it.
    page.goto(f"/alerts/{alert_id}")
    page.get_by_label("Why the warning ends").fill("No further danger: the aftershocks ended.")
    page.get_by_role("button", name="Draft a cancellation").click()
    expect(page.locator("#alert-xml")).to_contain_text("<msgType>Cancel</msgType>")
    expect(page.locator("#alert-xml")).to_contain_text(issued.identifier)  # its references
    cancel_id = alert_id_of(page)
    page.get_by_role("button", name="Submit for approval").click()
    second.goto(f"/alerts/{cancel_id}")
    second.get_by_role("button", name="Approve for issue").click()
    second.get_by_role("button", name="Issue now").click()
    expect(second.get_by_role("status")).to_contain_text("Issued")
    second.goto(f"/alerts/{alert_id}")
    expect(second.locator("h1")).to_contain_text("cancelled")
    expect(second.locator("#history-list a.successor")).to_have_attribute(
        "href", f"/alerts/{cancel_id}"
    )
    second.goto("/alerts")
    expect(second.locator(f'#alerts-table tr[data-alert="{alert_id}"]')).to_have_count(0)
    shoot(second, "alerts-cancelled")
