"""A CERT analyst in a real Chromium: imports a bundle, finds the indicator, follows its
relationship, sees its sighting and the incident, creates a collection and grants it to
another agency, subscribes an operator; an analyst of that agency without the clearance does
not see the SECRET indicator."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from qalxan.cti import incident_links, ingest, techniques
from qalxan.intake.tables import IncidentRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.browser.conftest import shoot
from tests.browser.test_intake_pages import enter
from tests.cti.correlation_support import report
from tests.people import Person, load_bundled, make_person
from tests.web.test_cti_pages import ADDRESS, HIDDEN, INDICATOR, MALWARE, NARRATIVE, bundle

pytestmark = pytest.mark.browser
CERT, OTHER = "ess.cti", "sss.cti"


@pytest.fixture(scope="module")
def people(server_engine: Engine, server_settings: Settings) -> dict[str, Person]:
    """The CERT's analyst, and an analyst of the State Security Service cleared only for
    official use."""
    return {
        CERT: make_person(
            server_engine, server_settings, CERT, "agency-ess", ["cert_analyst"], with_key=False
        ),
        OTHER: make_person(
            server_engine,
            server_settings,
            OTHER,
            "agency-sss",
            ["analyst"],
            "restricted",
            with_key=False,
        ),
    }


@pytest.fixture
def other_page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_cert_works_its_intelligence_and_another_agency_sees_only_its_share(
    page: Page,
    other_page: Page,
    people: dict[str, Person],
    server_engine: Engine,
    server_settings: Settings,
    tmp_path: Path,
) -> None:
    # The bundle goes in through the import form; a second import stores nothing new.
    path = tmp_path / "bundle.json"
    path.write_text(
        json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": bundle()})
    )
    enter(page, CERT, "/cti/import")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#stored-count")).to_have_text("6")
    shoot(page, "cti-import")
    # An incident whose report shows the indicator, correlated: a sighting.
    cert = people[CERT]
    stored = report(server_engine, server_settings, cert, NARRATIVE)
    ctx = cert.ctx(server_engine, server_settings)
    incident_links.correlate_now(ctx, load_bundled(), stored.incident_id)
    techniques.link(ctx, stored.incident_id, "T1566.001")
    with transaction(server_engine) as session:
        title = session.get_one(IncidentRow, stored.incident_id).title

    page.get_by_role("link", name="CTI", exact=True).click()
    page.fill("#q", ADDRESS)
    page.fill("#type", "indicator")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#cti-results tbody tr[data-stix-id]")
    expect(results).to_have_count(1)
    expect(results.first.locator(".tlp-badge")).to_have_text("TLP:GREEN")
    shoot(page, "cti-search")
    results.first.get_by_role("link").click()
    expect(page.locator("#object-title")).to_contain_text(f"C2 server {ADDRESS}")
    expect(page.locator("#pattern .pt-path").first).to_have_text("ipv4-addr:value")
    sighting = page.locator("#sightings tbody tr[data-sighting]")
    expect(sighting).to_contain_text("Electronic Security Service")
    expect(sighting.locator(".incident-link")).to_have_text(stored.incident_id)
    expect(page.locator('#incidents tr[data-kind="sighting"] .incident-title')).to_have_text(title)
    shoot(page, "cti-object")
    page.locator("#relationships").get_by_role("link", name=MALWARE["name"]).click()
    expect(page.locator("#object-title")).to_contain_text("Qarabag loader")
    uses = page.locator('#relationships tr[data-direction="out"]')
    expect(uses).to_contain_text("uses")
    uses.get_by_role("link", name="Spearphishing Attachment").click()
    attack = page.locator("#references")
    expect(attack.locator(".external-id")).to_have_text("T1566.001")
    expect(attack.get_by_role("link")).to_have_attribute(
        "href", "https://attack.mitre.org/techniques/T1566/001"
    )
    used_in = page.locator('#incidents tr[data-kind="technique"]')
    expect(used_in).to_have_attribute("data-incident", stored.incident_id)
    expect(used_in.locator(".incident-title")).to_have_text(title)
    shoot(page, "cti-technique")
    page.locator(".crumbs").get_by_role("link").click()
    page.get_by_role("link", name="Sightings", exact=True).click()
    expect(page.locator("#sighting-list tbody tr[data-sighting]")).to_contain_text(
        INDICATOR["name"]
    )
    shoot(page, "cti-sightings")
    page.locator("#sighting-list .incident-link").first.click()
    expect(page).to_have_url(re.compile(f"/incidents/{stored.incident_id}$"))

    # A collection for the energy sector, granted to the State Security Service to read.
    page.goto("/cti/collections")
    page.fill("#title", "Energy sector indicators")
    page.fill("#alias", "energy")
    page.get_by_role("button", name="Create the collection").click()
    expect(page.get_by_role("status")).to_contain_text("created")
    collection = page.locator("section.cti-collection", has_text="Energy sector indicators")
    expect(collection.locator(".taxii-url")).to_contain_text("/taxii2/cert/collections/")
    collection.locator("select[name=grantee]").select_option("agency-sss")
    collection.get_by_role("button", name="Grant").click()
    expect(page.get_by_role("status")).to_contain_text("granted")
    expect(collection.locator('tr[data-grantee="agency-sss"]')).to_contain_text("read")
    shoot(page, "cti-collections")
    # The malware put into it; the search filtered by the collection finds only that.
    collection_id = collection.get_attribute("data-collection")
    assert collection_id is not None
    ingest.import_objects(ctx, [MALWARE], collection=collection_id)
    page.goto("/cti")
    page.select_option("#collection", label="Energy sector indicators (energy)")
    page.get_by_role("button", name="Search").click()
    in_collection = page.locator("#cti-results tbody tr[data-stix-id]")
    expect(in_collection).to_have_count(1)
    expect(in_collection.first).to_have_attribute("data-stix-id", MALWARE["id"])
    page.goto("/cti/collections")
    expect(page.locator(f'[data-collection="{collection_id}"] .count')).to_have_text("1")

    page.goto("/cti/subscriptions")
    page.fill("#operator", "Azerenerji OJSC")
    page.get_by_label("Energy").check()
    page.fill("#address", "soc@azerenerji.example")
    page.select_option("#max_tlp", "AMBER")
    page.get_by_role("button", name="Subscribe", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("subscribed")
    expect(page.locator("#subscription-list")).to_contain_text("Azerenerji OJSC")
    shoot(page, "cti-subscriptions")

    # The other agency's analyst: the GREEN indicator, the granted collection, no SECRET.
    enter(other_page, OTHER, "/cti")
    listed = other_page.locator("#cti-results tbody")
    expect(listed.locator(f'tr[data-stix-id="{INDICATOR["id"]}"]')).to_have_count(1)
    expect(listed.locator(f'tr[data-stix-id="{HIDDEN["id"]}"]')).to_have_count(0)
    shoot(other_page, "cti-search-other-agency")
    response = other_page.goto(f"/cti/objects/{HIDDEN['id']}")
    assert response is not None and response.status == 404
    other_page.goto("/cti/collections")
    expect(other_page.locator("section.cti-collection")).to_contain_text("Energy sector")
    expect(other_page.locator("select[name=grantee]")).to_have_count(0)
    # The granted collection is offered to their search too; the indicator's incident (the
    # CERT's, TLP:AMBER) is not shown to them.
    other_page.goto("/cti")
    other_page.select_option("#collection", collection_id)
    other_page.get_by_role("button", name="Search").click()
    expect(other_page.locator("#cti-results tbody tr[data-stix-id]")).to_have_count(1)
    other_page.goto(f"/cti/objects/{INDICATOR['id']}")
    expect(other_page.locator("#object-title")).to_contain_text(INDICATOR["name"])
    expect(other_page.locator("#incidents")).to_have_count(0)
    expect(other_page.locator("main")).not_to_contain_text(stored.incident_id)
