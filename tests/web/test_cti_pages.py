"""The CERT's pages through a TestClient: the search with its filters and pages, an object
with its pattern, versions, relationships, references and JSON, sightings and the incidents
they name, collections with rights, subscriptions, the import form, and the callers turned
away: 404 for what the reader may not see, 403 without the permission or the CSRF token."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qalxan.cti import collections, incident_links, ingest, markings, techniques
from qalxan.intake.tables import IncidentRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web.app import create_app
from qalxan.web.cti_shown import pattern_tokens
from tests.cti.correlation_support import report
from tests.cti.stix_support import audits
from tests.cti.test_misp_samples import sample_event
from tests.people import Person, load_bundled, make_person
from tests.web.test_account_pages import HTML, sign_in
from tests.web.test_intake_pages import text_of

T0, T1 = "2026-01-05T10:00:00.000Z", "2026-02-01T08:30:00.000Z"
ADDRESS = "198.51.100.23"
NARRATIVE = f"The SCADA workstation beaconed to {ADDRESS} every minute after a phishing mail."
GREEN = markings.tlp_id("GREEN")
SECRET = markings.classification_id("secret")
NAMESPACE = uuid.UUID("0b7d2f3c-8f61-4d0e-9a57-4c1e2b6f9d11")


def sid(stix_type: str, seed: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, seed)}"


def sdo(stix_type: str, seed: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": sid(stix_type, seed),
        "created": T0,
        "modified": T0,
        "name": name,
        "object_marking_refs": [GREEN],
        **extra,
    }


INDICATOR = sdo(
    "indicator",
    "c2",
    f"C2 server {ADDRESS}",
    description="Command and control of the loader.",
    indicator_types=["malicious-activity"],
    pattern=f"[ipv4-addr:value = '{ADDRESS}'] OR [domain-name:value = 'evil.example']",
    pattern_type="stix",
    valid_from=T0,
    kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"}],
    labels=["energy"],
)
MALWARE = sdo("malware", "loader", "Qarabag loader", is_family=True)
TECHNIQUE = sdo(
    "attack-pattern",
    "t1566",
    "Spearphishing Attachment",
    external_references=[
        {
            "source_name": "mitre-attack",
            "external_id": "T1566.001",
            "url": "https://attack.mitre.org/techniques/T1566/001",
        },
        {"source_name": "partner", "url": "javascript:alert(1)"},
    ],
    x_mitre_domains=["enterprise-attack"],
)


def tie(source: dict[str, Any], kind: str, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": sid("relationship", f"{source['id']}{kind}{target['id']}"),
        "created": T0,
        "modified": T0,
        "relationship_type": kind,
        "source_ref": source["id"],
        "target_ref": target["id"],
        "object_marking_refs": [GREEN],
    }


HIDDEN = sdo(
    "indicator",
    "implant",
    "Secret implant beacon",
    pattern="[domain-name:value = 'implant.example']",
    pattern_type="stix",
    valid_from=T0,
    object_marking_refs=[GREEN, SECRET],
)


def bundle() -> list[dict[str, Any]]:
    """An indicator of a malware that uses an ATT&CK technique, and a SECRET indicator."""
    return [
        INDICATOR,
        MALWARE,
        TECHNIQUE,
        tie(INDICATOR, "indicates", MALWARE),
        tie(MALWARE, "uses", TECHNIQUE),
        HIDDEN,
    ]


def load_bundle(engine: Engine, settings: Settings, cert: Person) -> str:
    """The bundle imported by the CERT analyst, and an incident whose report shows the
    indicator, correlated into a sighting; the incident's id."""
    ctx = cert.ctx(engine, settings)
    ingest.import_objects(ctx, bundle(), source="test bundle")
    stored = report(engine, settings, cert, NARRATIVE)
    incident_links.correlate_now(ctx, load_bundled(), stored.incident_id)
    return stored.incident_id


@pytest.fixture
def web(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def cert(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "ess.cert", "agency-ess", ["cert_analyst"])


@pytest.fixture
def neighbour(engine: Engine, settings: Settings) -> Person:
    """An analyst of another agency, cleared only for official use: reads CTI, exports none."""
    return make_person(engine, settings, "sss.low", "agency-sss", ["analyst"], "restricted")


def test_the_search_filters_marks_and_pages(
    web: TestClient, engine: Engine, settings: Settings, cert: Person
) -> None:
    load_bundle(engine, settings, cert)
    page = web.get("/cti", headers=cert.headers)
    assert page.status_code == 200
    assert 'href="/cti" aria-current="page"' in page.text  # the navigation link
    rows = re.findall(r'<tr data-stix-id="([^"]+)"', page.text)
    assert INDICATOR["id"] in rows and MALWARE["id"] in rows and HIDDEN["id"] in rows
    assert 'data-tlp="GREEN"' in page.text and "color: #33ff00" in page.text
    assert "SECRET" in text_of(page.text)
    found = web.get("/cti", params={"type": "indicator", "q": ADDRESS}, headers=cert.headers)
    assert re.findall(r'<tr data-stix-id="([^"]+)"', found.text) == [INDICATOR["id"]]
    assert 'href="/cti/export?type=indicator"' in found.text
    exported = web.get("/cti/export?type=indicator", headers=cert.headers)
    assert 'filename="qalxan-cti-indicator.json"' in exported.headers["content-disposition"]
    shipped = {o["id"]: o for o in json.loads(exported.content)["objects"]}
    assert shipped[INDICATOR["id"]] == INDICATOR and GREEN in shipped  # with its definition
    assert MALWARE["id"] not in shipped
    none = web.get("/cti", params={"tlp": "RED"}, headers=cert.headers)
    assert "Nothing found." in none.text
    az = web.get(f"/cti/objects/{INDICATOR['id']}", params={"lang": "az"}, headers=cert.headers)
    assert az.status_code == 200 and "Əlaqələr" in az.text and "Müşahidələr" in az.text
    bad = web.get("/cti", params={"type": "Not A Type"}, headers=cert.headers)
    assert bad.status_code == 422 and "is not a STIX type name" in bad.text
    # More than a page: the next page carries the filters on.
    many = [
        sdo(
            "malware",
            f"m{i}",
            f"Family {i:02d}",
            is_family=True,
            modified=f"2026-03-01T10:{i:02d}:00.000Z",
        )
        for i in range(52)
    ]
    ingest.import_objects(cert.ctx(engine, settings), many)
    first = web.get("/cti", params={"type": "malware"}, headers=cert.headers).text
    assert len(re.findall(r"<tr data-stix-id=", first)) == 50
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following is not None and "type=malware" in following.group(1)
    second = web.get("/cti" + following.group(1).replace("&amp;", "&"), headers=cert.headers)
    assert len(re.findall(r"<tr data-stix-id=", second.text)) == 3  # 52 + the loader


def test_an_object_page_shows_its_pattern_ties_sightings_and_versions(
    web: TestClient, engine: Engine, settings: Settings, cert: Person
) -> None:
    incident_id = load_bundle(engine, settings, cert)
    page = web.get(f"/cti/objects/{INDICATOR['id']}", headers=cert.headers)
    assert page.status_code == 200
    html = page.text
    assert f'<span class="pt-literal">&#39;{ADDRESS}&#39;</span>' in html
    assert '<span class="pt-path">ipv4-addr:value</span>' in html
    assert '<span class="pt-op">OR</span>' in html
    assert "command-and-control" in html
    relationship = tie(INDICATOR, "indicates", MALWARE)["id"]
    assert f'data-via="{relationship}"' in html and f'href="/cti/objects/{MALWARE["id"]}"' in html
    assert f'href="/incidents/{incident_id}"' in html  # the sighting's incident
    sightings = html.split('id="sightings"')[1].split("</table>")[0]
    assert "Electronic Security Service" in text_of(sightings)
    # Following the relationship: the malware sees it coming in, and the technique going out.
    malware = web.get(f"/cti/objects/{MALWARE['id']}", headers=cert.headers).text
    assert 'data-direction="in"' in malware and 'data-direction="out"' in malware
    technique = web.get(f"/cti/objects/{TECHNIQUE['id']}", headers=cert.headers).text
    assert "T1566.001" in technique
    assert '<a href="https://attack.mitre.org/techniques/T1566/001"' in technique
    assert 'href="javascript:' not in technique and "javascript:alert(1)" in technique
    # A newer version, then a revocation: the older versions stay selectable.
    newer = {**INDICATOR, "modified": T1, "description": "Moved to a new host."}
    ingest.import_objects(cert.ctx(engine, settings), [newer])
    revoked = {**newer, "modified": "2026-03-01T00:00:00.000Z", "revoked": True}
    ingest.import_objects(cert.ctx(engine, settings), [revoked])
    latest = web.get(f"/cti/objects/{INDICATOR['id']}", headers=cert.headers).text
    assert 'id="revoked-notice"' in latest and latest.count("<option value=") == 3
    older = web.get(
        f"/cti/objects/{INDICATOR['id']}", params={"modified": T0}, headers=cert.headers
    ).text
    assert 'id="older-version"' in older and "Command and control of the loader." in older
    download = web.get(
        f"/cti/objects/{INDICATOR['id']}.json", params={"modified": T1}, headers=cert.headers
    )
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert json.loads(download.content) == newer
    assert web.get(f"/cti/objects/{INDICATOR['id']}?modified=1999", headers=HTML).status_code in (
        303,
        401,
    )  # anonymous: to the sign-in page


def test_what_the_reader_may_not_see_is_a_404_and_no_permission_a_403(
    web: TestClient, engine: Engine, settings: Settings, cert: Person, neighbour: Person
) -> None:
    load_bundle(engine, settings, cert)
    seen = web.get("/cti", headers=neighbour.headers).text
    assert INDICATOR["id"] in seen and HIDDEN["id"] not in seen
    for path in (f"/cti/objects/{HIDDEN['id']}", f"/cti/objects/{HIDDEN['id']}.json"):
        assert web.get(path, headers={**neighbour.headers, **HTML}).status_code == 404
    missing = web.get(f"/cti/objects/{sid('indicator', 'nothing')}", headers=neighbour.headers)
    assert missing.status_code == 404
    assert web.get("/cti/export?type=indicator", headers=neighbour.headers).status_code == 403
    assert web.get("/cti/import", headers=neighbour.headers).status_code == 403
    assert web.get("/cti/subscriptions", headers=neighbour.headers).status_code == 403
    outsider = make_person(engine, settings, "sbs.screen", "agency-sbs", ["screening_officer"])
    assert web.get("/cti", headers=outsider.headers).status_code == 403
    assert 'href="/cti"' not in web.get("/", headers=outsider.headers).text
    # The sightings list shows only what the reader may read: the sighting is AMBER, the CERT's.
    assert "No sightings you may read." in web.get("/cti/sightings", headers=neighbour.headers).text


def test_recent_sightings_name_the_indicator_the_incident_and_the_agency(
    web: TestClient, engine: Engine, settings: Settings, cert: Person
) -> None:
    incident_id = load_bundle(engine, settings, cert)
    page = web.get("/cti/sightings", headers=cert.headers)
    assert page.status_code == 200
    rows = page.text.split('id="sighting-list"')[1]
    assert f'href="/cti/objects/{INDICATOR["id"]}"' in rows
    assert f'href="/incidents/{incident_id}"' in rows
    assert "Electronic Security Service" in text_of(rows)


def test_collections_are_created_granted_and_revoked(
    web: TestClient, engine: Engine, settings: Settings, cert: Person, neighbour: Person
) -> None:
    form = {"title": "Energy sector", "alias": "energy", "api_root": "cert", "description": ""}
    done = web.post("/cti/collections", data=form, headers=cert.headers)
    assert done.status_code == 303 and "done=created" in done.headers["location"]
    page = web.get("/cti/collections", headers=cert.headers).text
    found = re.search(r'data-collection="([0-9a-f-]{36})"', page)
    assert found is not None
    collection = found.group(1)
    assert f"/taxii2/cert/collections/{collection}/" in page
    twice = web.post("/cti/collections", data=form, headers=cert.headers)
    assert twice.status_code == 409 and "Energy sector" in twice.text
    bad = web.post("/cti/collections", data={**form, "api_root": "Bad Root"}, headers=cert.headers)
    assert bad.status_code == 422 and 'id="api_root-error"' in bad.text
    # The other agency does not know it exists until it is granted.
    assert collection not in web.get("/cti/collections", headers=neighbour.headers).text
    grant = {"grantee": "agency-sss", "read": "1"}
    url = f"/cti/collections/{collection}/rights"
    assert web.post(url, data=grant, headers=neighbour.headers).status_code == 404
    assert web.post(url, data=grant, headers=cert.headers).status_code == 303
    theirs = web.get("/cti/collections", headers=neighbour.headers).text
    assert f'data-collection="{collection}"' in theirs and 'action="/cti/collections/' not in theirs
    ingest.import_objects(cert.ctx(engine, settings), [MALWARE], collection=collection)
    counted = web.get("/cti/collections", headers=cert.headers).text
    assert '<dd class="count">1</dd>' in counted and 'data-grantee="agency-sss"' in counted
    wrong = web.post(url, data={"grantee": "nobody", "read": "1"}, headers=cert.headers)
    assert wrong.status_code == 422 and "no agency or partner organisation" in wrong.text
    revoked = web.post(url, data={"grantee": "agency-sss"}, headers=cert.headers)
    assert "done=revoked" in revoked.headers["location"]
    assert collection not in web.get("/cti/collections", headers=neighbour.headers).text


def test_subscriptions_are_listed_created_and_deactivated(
    web: TestClient, engine: Engine, settings: Settings, cert: Person
) -> None:
    form = {
        "operator": "Azerenerji OJSC",
        "sectors": ["energy"],
        "channel": "email",
        "address": "soc@azerenerji.example",
        "max_tlp": "AMBER",
    }
    done = web.post("/cti/subscriptions", data=form, headers=cert.headers)
    assert done.status_code == 303
    subscription = done.headers["location"].split("#subscription-")[1]
    page = web.get("/cti/subscriptions", headers=cert.headers).text
    assert "Azerenerji OJSC" in page and "soc@azerenerji.example" in page
    bad = web.post("/cti/subscriptions", data={**form, "max_tlp": "RED"}, headers=cert.headers)
    assert bad.status_code == 422 and 'id="max_tlp-error"' in bad.text
    assert 'value="Azerenerji OJSC"' in bad.text  # the form is kept
    nosector = web.post("/cti/subscriptions", data={**form, "sectors": []}, headers=cert.headers)
    assert nosector.status_code == 422 and "sectors" in nosector.text
    off = web.post(f"/cti/subscriptions/{subscription}/deactivate", headers=cert.headers)
    assert off.status_code == 303
    shown = web.get("/cti/subscriptions", headers=cert.headers).text
    assert "deactivated" in shown.split(f'id="subscription-{subscription}"')[1].split("</tr>")[0]


def test_the_import_form_stores_once_and_says_why_it_refuses(web: TestClient, cert: Person) -> None:
    def upload(name: str, content: bytes) -> str:
        files = {"file": (name, content, "application/json")}
        answer = web.post("/cti/import", files=files, headers=cert.headers)
        assert answer.status_code == 200, answer.text
        return text_of(answer.text)

    document = json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": bundle()})
    assert "Stored: 6 · already there: 0" in upload("bundle.json", document.encode())
    assert "Stored: 0 · already there: 6" in upload("bundle.json", document.encode())
    broken = {**MALWARE, "id": sid("malware", "broken"), "created": "yesterday"}
    refused = upload("broken.json", json.dumps(broken).encode())
    assert "refused: 1" in refused and "broken.json" in refused and "created" in refused
    assert "not JSON" in upload("notes.json", b"{not json")
    event = json.dumps(sample_event()).encode()
    assert re.search(r"Stored: [1-9]\d* · already there: 0", upload("misp.json", event))
    found = web.get("/cti", params={"q": "Sofacy"}, headers=cert.headers).text
    assert "threat-actor" in found and "Sofacy" in found
    bad_event = json.dumps({"Event": {"info": "no date", "Attribute": "not a list"}}).encode()
    assert "refused: 1" in upload("bad-misp.json", bad_event)
    empty = web.post("/cti/import", data={}, headers=cert.headers)
    assert empty.status_code == 422 and "choose a STIX bundle" in empty.text


def test_a_pattern_is_cut_into_tokens_that_join_back_exactly() -> None:
    pattern = (
        "[file:hashes.'SHA-256' = 'ab\\'cd' AND file:size > 10] FOLLOWEDBY "
        "[x-custom:refs[*].value MATCHES '^a'] WITHIN 300 SECONDS"
    )
    tokens = pattern_tokens(pattern)
    assert "".join(text for _, text in tokens) == pattern
    kinds = [(kind, text) for kind, text in tokens if kind != "text"]
    assert kinds[:4] == [
        ("bracket", "["),
        ("path", "file:hashes.'SHA-256'"),
        ("op", "="),
        ("literal", "'ab\\'cd'"),
    ]
    assert ("path", "x-custom:refs[*].value") in kinds and ("op", "FOLLOWEDBY") in kinds
    assert ("literal", "300") in kinds and ("op", "SECONDS") in kinds


def test_page_forms_need_the_session_csrf_token(
    web: TestClient, engine: Engine, settings: Settings
) -> None:
    make_person(engine, settings, "ess.form", "agency-ess", ["cert_analyst"], with_key=False)
    token = sign_in(web, "ess.form")
    form = {"title": "Partners", "alias": "", "api_root": "cert", "description": ""}
    assert web.post("/cti/collections", data=form, headers=HTML).status_code == 403
    done = web.post("/cti/collections", data={**form, "csrf_token": token}, headers=HTML)
    assert done.status_code == 303
    files = {"file": ("b.json", b"{}", "application/json")}
    assert web.post("/cti/import", files=files, headers=HTML).status_code == 403
    assert web.get("/cti", headers=HTML).status_code == 200


def test_the_search_filters_by_a_collection_the_reader_may_read(
    web: TestClient, engine: Engine, settings: Settings, cert: Person, neighbour: Person
) -> None:
    load_bundle(engine, settings, cert)
    ctx = cert.ctx(engine, settings)
    energy = collections.create(ctx, api_root="cert", title="Energy sector", alias="energy").id
    ingest.import_objects(ctx, [MALWARE, INDICATOR], collection=energy)
    page = web.get("/cti", headers=cert.headers).text
    assert f'<option value="{energy}" >Energy sector (energy)</option>' in page
    for ref in (energy, "energy"):
        found = web.get("/cti", params={"collection": ref}, headers=cert.headers)
        rows = re.findall(r'<tr data-stix-id="([^"]+)"', found.text)
        assert sorted(rows) == sorted([MALWARE["id"], INDICATOR["id"]])
        assert f'<option value="{energy}" selected>' in found.text
    typed = web.get("/cti", params={"collection": energy, "type": "malware"}, headers=cert.headers)
    assert re.findall(r'<tr data-stix-id="([^"]+)"', typed.text) == [MALWARE["id"]]
    assert f'href="/cti/export?type=malware&amp;collection={energy}"' in typed.text
    # Another agency is not offered it, and is answered as for a collection that is not there.
    theirs = web.get("/cti", headers=neighbour.headers).text
    assert energy not in theirs
    answers = []
    for ref in (energy, "nowhere"):
        refused = web.get("/cti", params={"collection": ref}, headers=neighbour.headers)
        assert refused.status_code == 422 and 'id="collection-error"' in refused.text
        error = refused.text.split('id="collection-error"')[1].split("</")[0]
        answers.append(error.replace(ref, "REF"))
    assert answers[0] == answers[1] and "no collection has the id or alias" in answers[0]


def test_an_object_page_lists_its_incidents_with_their_titles(
    web: TestClient, engine: Engine, settings: Settings, cert: Person, neighbour: Person
) -> None:
    incident_id = load_bundle(engine, settings, cert)
    techniques.link(cert.ctx(engine, settings), incident_id, "T1566.001")
    with transaction(engine) as session:
        title = session.get_one(IncidentRow, incident_id).title
    technique = web.get(f"/cti/objects/{TECHNIQUE['id']}", headers=cert.headers).text
    linked = technique.split('id="incidents"')[1].split("</table>")[0]
    assert f'data-incident="{incident_id}" data-kind="technique"' in linked
    assert title in text_of(linked) and "T1566.001" in linked
    # The indicator: its sighting names the incident, and the incident is listed by title.
    ioc = web.get(f"/cti/objects/{INDICATOR['id']}", headers=cert.headers).text
    sighted = ioc.split('id="sightings"')[1].split("</table>")[0]
    assert f'class="incident-link">{incident_id}</a>' in sighted and title in text_of(sighted)
    assert f'data-incident="{incident_id}" data-kind="sighting"' in ioc
    # The other agency may read the technique but not the (AMBER) incident: nothing of it.
    theirs = web.get(f"/cti/objects/{TECHNIQUE['id']}", headers=neighbour.headers)
    assert theirs.status_code == 200
    assert 'id="incidents"' not in theirs.text and incident_id not in theirs.text


def test_the_sightings_page_reads_what_they_name_at_once(
    web: TestClient, engine: Engine, settings: Settings, cert: Person
) -> None:
    load_bundle(engine, settings, cert)
    honeypot = sdo("identity", "honeypot", "Partner honeypot", identity_class="system")
    seen = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": sid("sighting", "loader-at-honeypot"),
        "created": T1,
        "modified": T1,
        "sighting_of_ref": MALWARE["id"],
        "where_sighted_refs": [honeypot["id"]],
        "object_marking_refs": [GREEN],
    }
    ingest.import_objects(cert.ctx(engine, settings), [honeypot, seen])
    before = len(audits(engine, "cti.read"))
    page = web.get("/cti/sightings", headers=cert.headers).text
    rows = page.split('id="sighting-list"')[1]
    assert "Qarabag loader" in rows and "Partner honeypot" in rows
    (read,) = audits(engine, "cti.read")[before:]
    assert read.detail["stix_ids"] == sorted([INDICATOR["id"], MALWARE["id"], honeypot["id"]])


def test_the_collections_page_counts_without_reading_each_and_grants_answer_404_or_403(
    web: TestClient, engine: Engine, settings: Settings, cert: Person
) -> None:
    ctx = cert.ctx(engine, settings)
    ids = [collections.create(ctx, api_root="cert", title=f"Feed {n}").id for n in range(3)]
    ingest.import_objects(ctx, [MALWARE, TECHNIQUE], collection=ids[1])
    page = web.get("/cti/collections", headers=cert.headers).text
    counts = re.findall(r'data-collection="([^"]+)".*?<dd class="count">(\d+)</dd>', page, re.S)
    assert counts == [(ids[0], "0"), (ids[1], "2"), (ids[2], "0")]
    assert audits(engine, "cti.collection.read") == []  # one listing, no read per collection
    # Another agency's CERT analyst holds cti:share: without a right, a 404 like a missing
    # collection; seeing it (a read grant) but not owning it, a 403.
    mia = make_person(engine, settings, "mia.cert", "agency-mia", ["cert_analyst"])
    grant = {"grantee": "agency-sss", "read": "1"}
    for target in (ids[0], str(uuid.uuid4())):
        url = f"/cti/collections/{target}/rights"
        assert web.post(url, data=grant, headers=mia.headers).status_code == 404
    collections.grant(ctx, load_bundled(), ids[0], "agency-mia", read=True, write=False)
    url = f"/cti/collections/{ids[0]}/rights"
    refused = web.post(url, data=grant, headers=mia.headers)
    assert refused.status_code == 403 and "only the owning agency" in refused.text
