"""A screening officer in a real Chromium: a name in Cyrillic screened in the console, a
manifest screened as a batch with its progress and its results downloaded, and the hit decided
from the review queue."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from qalxan.screening import lists, service
from qalxan.settings import Settings
from tests.browser.conftest import shoot
from tests.browser.test_intake_pages import enter
from tests.people import make_person

pytestmark = pytest.mark.browser
LIST = """id,name,birth_date,nationality
AZ-1,Aram Synthetic,1970-01-01,am
AZ-3,Leyla Quliyeva,1980-05-05,az
AZ-4,Orkhan Testov,1990,az
"""
# Enough travellers that the page usually sees the batch running before it is done.
TRAVELLERS = 300


@pytest.fixture(scope="module")
def screener(
    server_engine: Engine, server_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A border screening officer of the test server, with a national test list imported."""
    person = make_person(
        server_engine,
        server_settings,
        "sbs.screener",
        "agency-sbs",
        ["screening_officer"],
        with_key=False,
    )
    ctx = person.ctx(server_engine, server_settings)
    spec = lists.ListSpec("az-browser", "Test list", "Authority", "Law", ("border",))
    lists.declare(ctx, spec)
    path = tmp_path_factory.mktemp("lists") / "national.csv"
    path.write_text(LIST, "utf-8")
    service.import_list(ctx, path, "csv", "az-browser")
    return "sbs.screener"


def manifest(folder: Path) -> Path:
    lines = ["id,name,birth_date,nationality", "pnr-1,Aram Sintetik,1970-01-01,am"]
    lines += [f"pnr-{n},Traveller Number{n},,ua" for n in range(2, TRAVELLERS + 1)]
    path = folder / "manifest.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_console_batch_and_a_decision_from_the_queue(
    page: Page, screener: str, tmp_path: Path
) -> None:
    enter(page, screener, "/screening")
    expect(page.get_by_role("link", name="Screening")).to_have_attribute("aria-current", "page")
    expect(page.locator("#lead-banner")).to_have_text(
        "A match is a lead for your decision, never an automatic refusal."
    )
    page.get_by_label("Name", exact=True).fill("Лейла Кулиева")
    page.get_by_label("Birth date (optional)").fill("1980-05-05")
    page.get_by_label("Nationality (optional)").fill("az")
    page.get_by_label("Screening for").select_option("border")
    page.get_by_role("button", name="Screen", exact=True).click()
    row = page.locator("#results-table tr[data-source-id='AZ-3']")
    expect(row).to_contain_text("alert", timeout=30_000)  # the first screening builds the index
    expect(row).to_contain_text("Leyla Quliyeva")
    expect(row).to_contain_text("кулиева~quliyeva")
    expect(row.locator(".features [data-feature='birth_date']")).to_have_text("birth date +0.08")
    shoot(page, "screening-console")

    page.get_by_role("link", name="Batch", exact=True).click()
    page.get_by_label("CSV file").set_input_files(manifest(tmp_path))
    page.get_by_label("Results per party").select_option("3")
    page.get_by_role("button", name="Check and screen the file").click()
    expect(page).to_have_url(re.compile(r"/screening/batch\?job=[\w-]+$"))
    expect(page.locator("#batch-state")).to_have_attribute("data-state", "done", timeout=30_000)
    expect(page.locator("#batch-progress")).to_have_js_property("value", TRAVELLERS)
    expect(page.locator("#batch-state")).to_contain_text(f"{TRAVELLERS} parties screened")
    shoot(page, "screening-batch")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the results (CSV)").click()
    with open(info.value.path(), encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["query_id"], r["rank"], r["list"], r["source_id"]) for r in rows] == [
        ("pnr-1", "1", "az-browser", "AZ-1")
    ]
    assert rows[0]["caption"] == "Aram Synthetic" and float(rows[0]["score"]) >= 0.8

    page.get_by_role("link", name="Review queue").click()
    queued = page.locator("#hit-queue tbody tr[data-hit]")
    expect(queued).to_have_count(1)
    hit_id = queued.get_attribute("data-hit")
    shoot(page, "screening-queue")
    queued.get_by_role("link").click()
    expect(page.locator("#source-id")).to_have_text("AZ-3")
    expect(page.locator("#hit-explanation")).to_contain_text("кулиева~quliyeva")
    page.get_by_label("a false match: someone else").check()
    page.get_by_label("Reason").fill("Another Leyla Quliyeva: born in Ganja, not Baku")
    shoot(page, "screening-hit")
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(re.compile(r"/screening/hits\?done=false_match$"))
    expect(page.get_by_role("status")).to_contain_text("Recorded as a false match")
    expect(page.locator(f"#hit-queue tr[data-hit='{hit_id}']")).to_have_count(0)
    page.goto(f"/screening/hits/{hit_id}")
    expect(page.locator("#decision-history tbody")).to_contain_text("born in Ganja")
    expect(page.locator("#hit-status")).to_have_text("false match")
