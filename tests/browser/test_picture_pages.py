"""An analyst in a real Chromium: the threat picture (levels, map, trends, live warnings), a
warning acknowledged, a threat assessed in the risk register, and the National Threat
Assessment previewed with its narrative written and its PDF downloaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from qalxan.picture import periods, rollup, warnings
from qalxan.picture.contribution import Contribution
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.browser.conftest import shoot
from tests.browser.test_intake_pages import enter
from tests.people import load_bundled, make_person

pytestmark = pytest.mark.browser
CLASH = ("threat-3-1",)


@pytest.fixture(scope="module")
def analyst(server_engine: Engine, server_settings: Settings) -> str:
    """An analyst of the test server, with a quiet half-year in Tovuz and a surge of clashes
    last week, a year of smuggling in Astara, and the warnings a scan raises from them."""
    person = make_person(
        server_engine, server_settings, "sss.picture", "agency-sss", ["analyst"], with_key=False
    )
    today = datetime.now(UTC).date()
    last_week = today - timedelta(days=today.weekday() + 4)
    quiet = [
        Contribution(today - timedelta(days=7 * w), "AZ-TOV", "armed-clash", CLASH, 3, 0, 0, 1)
        for w in range(2, 28)
    ]
    surge = [Contribution(last_week, "AZ-TOV", "armed-clash", CLASH, 5, 1, 2, 1)] * 14
    smuggling = [
        Contribution(
            today - timedelta(days=5 * d), "AZ-AST", "drug-trafficking", ("threat-3-5",), 2, 0, 0, 1
        )
        for d in range(70)
    ]
    with session_factory(server_engine)() as session, session.begin():
        rollup.apply(session, [(None, c) for c in quiet + surge + smuggling])
    warnings.run(person.ctx(server_engine, server_settings), load_bundled(), today)
    return "sss.picture"


def test_the_picture_warns_and_the_analyst_reviews_it(page: Page, analyst: str) -> None:
    enter(page, analyst, "/picture")
    levels = page.locator("#levels-table")
    expect(levels.locator('tr[data-threat="threat-3-1"] .sev')).to_contain_text("critical")
    expect(page.locator("#map svg path[data-code='AZ-TOV']")).to_have_count(1)
    expect(page.locator('#trends figure[data-trend="threat-3-1"] svg')).to_have_count(1)
    warned = page.locator("#warnings-table tbody tr[data-warning]")
    expect(warned.first).to_contain_text("expected")
    count = warned.count()
    shoot(page, "picture-dashboard")
    first = warned.first
    first.locator("input[name=note]").fill("Seen; the border detachment is informed.")
    first.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("acknowledged")
    expect(page.locator("#warnings-table tbody tr[data-warning]")).to_have_count(count - 1)
    # Drill down: the incidents behind a level.
    page.locator('#regions-table tr[data-region="AZ-TOV"] a').click()
    expect(page.locator("h1")).to_contain_text("Tovuz")
    shoot(page, "picture-region")


def test_the_analyst_assesses_a_threat_in_the_register(page: Page, analyst: str) -> None:
    enter(page, analyst, "/picture/risks")
    page.select_option("#threat", "threat-3-9")
    page.fill("#likelihood", "4")
    page.fill("#impact", "5")
    page.fill("#justification", "Reports of foreign intelligence activity near the ports.")
    page.select_option("#tlp", "GREEN")
    page.get_by_role("button", name="Store the assessment").click()
    expect(page.get_by_role("status")).to_contain_text("next version")
    expect(page.locator('#register-table tr[data-threat="threat-3-9"]')).to_contain_text(
        "foreign intelligence"
    )
    expect(page.locator('#matrix-table td[data-cell="4x5"]')).to_contain_text("3.9")
    shoot(page, "picture-risks")
    page.goto("/picture")
    expect(page.locator('#levels-table tr[data-threat="threat-3-9"] .sev')).to_contain_text(
        "critical"
    )


def test_the_assessment_is_previewed_written_and_downloaded(page: Page, analyst: str) -> None:
    label = periods.of_day(datetime.now(UTC).date(), "month").label
    enter(page, analyst, f"/picture/assessment?period={label}")
    preview = page.frame_locator("#assessment-preview")
    expect(preview.locator("body")).to_contain_text("Threat")
    page.fill("#narrative-text", "A surge of clashes in Tovuz.\n\nSmuggling as usual in Astara.")
    page.get_by_role("button", name="Store the narrative").click()
    expect(page.get_by_role("status")).to_contain_text("next version")
    narrative = page.frame_locator("#assessment-preview").locator("p", has_text="Tovuz")
    expect(narrative).to_have_text("A surge of clashes in Tovuz.")
    shoot(page, "picture-assessment")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    saved = download.value.path()
    assert saved is not None and saved.read_bytes().startswith(b"%PDF")
