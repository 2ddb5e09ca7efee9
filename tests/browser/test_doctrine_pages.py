"""The doctrine browser in a real Chromium: navigate, search live, switch language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser


def test_home_lists_the_threats(page: Page) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("National Security Concept")
    expect(page.locator("ol.threats li")).to_have_count(11)
    shoot(page, "home")


def test_navigate_to_a_threat_with_relations_and_provenance(page: Page) -> None:
    page.goto("/doctrine")
    page.get_by_role("link", name=re.compile("threats", re.I)).first.click()
    expect(page).to_have_url(re.compile("/doctrine/threats$"))
    page.get_by_role("link", name=re.compile("Terrorism and proliferation")).click()
    expect(page.locator("article.item h1")).to_contain_text("3.4")
    expect(page.locator("section.relations")).to_contain_text("lead agency")
    expect(page.locator("section.provenance blockquote").first).to_be_visible()
    shoot(page, "threat-3-4")


def test_live_search_in_azerbaijani_spelling_variants(page: Page) -> None:
    page.goto("/doctrine")
    page.locator("#doctrine-q").press_sequentially("Serhed", delay=30)
    results = page.locator(".live-results .results li")
    expect(results.first).to_be_visible()
    expect(page.locator(".live-results")).to_contain_text("State Border Service")
    shoot(page, "live-search")
    page.locator("#doctrine-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/doctrine/search\?q=Serhed"))
    expect(page.locator(".results li").first).to_be_visible()
    shoot(page, "search-results")


def test_language_switch_to_azerbaijani_and_back(page: Page) -> None:
    page.goto("/doctrine/agencies/agency-sbs")
    page.get_by_role("link", name="AZ", exact=True).click()
    expect(page.locator("nav")).to_contain_text("Təhdidlər")
    expect(page.locator("article.item h1")).to_contain_text("Dövlət Sərhəd Xidməti")
    expect(page.locator("html")).to_have_attribute("lang", "az")
    shoot(page, "agency-sbs-az")
    page.goto("/doctrine/threats")
    expect(page.locator("h1")).to_contain_text("Təhdidlər")
    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.locator("nav")).to_contain_text("Threats")


def test_versions_page_and_error_page(page: Page) -> None:
    page.goto("/doctrine/versions")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("in force")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("section.diff")).to_contain_text("No differences")
    shoot(page, "versions")
    response = page.goto("/doctrine/threats/threat-9-9")
    assert response is not None and response.status == 404
    expect(page.locator("section.error")).to_contain_text("no doctrine item has the id")
