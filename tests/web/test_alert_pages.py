"""The warning desk's pages, server-rendered: who may see and do what, CSRF on the forms, the
core's refusals shown next to the fields, the preview, and a warning from draft to issue,
update and cancellation through the pages alone."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from qalxan.alerts import desk, parse_alert, write_alert
from qalxan.alerts.authoring import form_of, to_alert
from qalxan.alerts.desk import AlertForm
from qalxan.alerts.tables import AlertRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web.alert_problems import field_of
from qalxan.web.app import create_app
from tests.alerts import desk_shared as shared
from tests.people import Person, make_person
from tests.web.test_account_pages import csrf_of, sign_in

MES = "agency-mes"
HTML = {"accept": "text/html"}
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DIGEST = re.compile(r'name="seen" value="([0-9a-f]{64})"')


@pytest.fixture
def author(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "author", MES, ["emergency_manager"])


@pytest.fixture
def approver(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "approver", MES, ["emergency_manager"])


def later(settings: Settings, hours: int = 24) -> str:
    moment = datetime.now(ZoneInfo(settings.timezone)) + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M")


def warning(settings: Settings, **changes: Any) -> dict[str, Any]:
    """The page form of an earthquake warning for two districts, in Azerbaijani and English."""
    data: dict[str, Any] = {
        "status": "Actual",
        "scope": "Public",
        "category": ["Geo"],
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "response_type": ["Shelter", "Monitor"],
        "expires": later(settings),
        "az_event": "Zəlzələ",
        "az_headline": "Şamaxı və İsmayıllıda güclü zəlzələ",
        "az_instruction": "Binalardan çıxın, açıq yerdə qalın.",
        "en_event": "Earthquake",
        "en_headline": "Strong earthquake in Shamakhi and Ismayilli",
        "en_instruction": "Leave buildings and stay in the open.",
        "district": ["AZ-SMI", "AZ-ISM"],
        "parameters": "magnitude=5.8\ndepth_km=12",
        "resource_1_desc": "Shake map",
        "resource_1_mime": "image/png",
        "resource_1_uri": "https://mes.gov.az/shakemap.png",
        "button": "save",
    }
    data.update(changes)
    return data


def stored(engine: Engine) -> list[AlertRow]:
    with transaction(engine) as session:
        return list(session.scalars(select(AlertRow).order_by(AlertRow.created_at)))


def post(client: TestClient, path: str, person: Person, data: dict[str, Any]) -> Any:
    return client.post(path, data=data, headers=person.headers, follow_redirects=False)


def created_id(response: Any) -> str:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/alerts/(\w+)\?done=\w+", response.headers["location"])
    assert found is not None, response.headers["location"]
    return found.group(1)


def test_only_the_desk_writes_and_only_approvers_see_the_queue(
    client: TestClient, engine: Engine, settings: Settings, author: Person
) -> None:
    officer = make_person(engine, settings, "officer", "agency-mia", ["duty_officer"])
    reporter = make_person(engine, settings, "reporter", "agency-police", ["reporter"])
    listing = client.get("/alerts", headers=officer.headers)
    assert listing.status_code == 200 and 'href="/alerts"' in listing.text
    assert 'id="new-alert"' not in listing.text and "/alerts/feed.atom" in listing.text
    assert client.get("/alerts/new", headers=officer.headers).status_code == 403
    assert client.get("/alerts/queue", headers=officer.headers).status_code == 403
    refused = client.post("/alerts/new", data=warning(settings), headers=officer.headers)
    assert refused.status_code == 403 and not stored(engine)
    assert client.get("/alerts", headers=reporter.headers).status_code == 403
    assert 'href="/alerts"' not in client.get("/", headers=reporter.headers).text
    desk = client.get("/alerts", headers=author.headers).text
    assert 'id="new-alert"' in desk and 'href="/alerts/queue"' in desk
    assert client.get("/alerts/new", headers=author.headers).status_code == 200
    with TestClient(create_app(settings), follow_redirects=False) as anonymous:
        away = anonymous.get("/alerts/new")
        assert away.status_code == 303 and away.headers["location"].startswith("/login")


def test_a_signed_in_form_needs_its_csrf_token(
    engine: Engine, settings: Settings, author: Person
) -> None:
    with TestClient(create_app(settings), follow_redirects=False) as web:
        sign_in(web, "author")
        form = warning(settings)
        assert web.post("/alerts/new", data=form, headers=HTML).status_code == 403
        assert not stored(engine)
        token = csrf_of(web.get("/alerts/new").text)
        alert_id = created_id(web.post("/alerts/new", data={**form, "csrf_token": token}))
        assert [row.id for row in stored(engine)] == [alert_id]
        forged = web.post(f"/alerts/{alert_id}/submit", data={"csrf_token": "x" * 43})
        assert forged.status_code == 403


def test_the_core_refusals_are_shown_next_to_their_fields(
    client: TestClient, engine: Engine, settings: Settings, author: Person
) -> None:
    form = warning(settings, urgency="", expires="", en_headline="Kept as typed")
    page = client.post("/alerts/new", data=form, headers=author.headers)
    assert page.status_code == 422 and not stored(engine)
    text = html.unescape(page.text)
    expires = text.split('id="expires-error"')[1].split("</div>")[0]
    assert "alert/info[1]/expires" in expires and "alert/info[2]/expires" in expires
    assert "required by the warning desk" in expires
    assert "alert/info[1]/urgency" in text.split('id="urgency-error"')[1].split("</div>")[0]
    assert 'value="Kept as typed"' in text and 'value="AZ-SMI" checked' in text
    # What the page reads itself is named by its field; the core's district names its element.
    bad = client.post(
        "/alerts/new", data=warning(settings, polygons="40.6,48.5 40.7"), headers=author.headers
    )
    assert bad.status_code == 422 and 'id="polygons-error"' in bad.text
    unknown = client.post(
        "/alerts/new", data=warning(settings, district=["AZ-XXX"]), headers=author.headers
    )
    district = html.unescape(unknown.text).split('id="district-error"')[1].split("</div>")[0]
    assert "alert/info[1]/area[1]/district[1]" in district and "AZ-XXX" in district


def test_preview_checks_and_draws_the_area_without_storing(
    client: TestClient, engine: Engine, settings: Settings, author: Person
) -> None:
    form = warning(settings, button="preview", circles="40.63,48.64 25")
    page = client.post("/alerts/new", data=form, headers=author.headers)
    assert page.status_code == 200 and not stored(engine)
    assert 'id="preview-ok"' in page.text
    xml = html.unescape(page.text.split('id="preview-xml">')[1].split("</pre>")[0])
    preview = parse_alert(xml.encode("utf-8"))
    assert [i.language for i in preview.infos] == ["az", "en"]
    assert [a.desc for a in preview.infos[1].areas] == ["Shamakhi District, Ismailli District"]
    assert preview.infos[0].parameters[0].value == "5.8"
    svg = page.text.split('id="area-map"')[1].split("</svg>")[0]
    for code in ("AZ-SMI", "AZ-ISM"):
        assert f'data-code="{code}" class="chosen"' in svg  # filled
        assert re.search(rf'class="outline district" d="M[^"]+" data-code="{code}"', svg)
    assert 'class="outline circle"' in svg
    assert 'name="resource_2_desc"' in page.text  # a row for one more resource


def test_a_warning_goes_from_draft_to_issue_update_and_cancellation(
    client: TestClient, engine: Engine, settings: Settings, author: Person, approver: Person
) -> None:
    alert_id = created_id(post(client, "/alerts/new", author, warning(settings)))
    page = client.get(f"/alerts/{alert_id}", headers=author.headers).text
    assert "&lt;alert xmlns=&#34;urn:oasis:names:tc:emergency:cap:1.2&#34;&gt;" in page
    assert 'id="submit-form"' in page and 'id="approve-form"' not in page
    assert client.post(f"/alerts/{alert_id}/submit", headers=author.headers).status_code == 200
    mine = client.get(f"/alerts/{alert_id}", headers=author.headers).text
    assert 'id="four-eyes"' in mine and 'id="approve-form"' not in mine
    digest = DIGEST.search(client.get(f"/alerts/{alert_id}", headers=approver.headers).text)
    assert digest is not None
    refused = client.post(
        f"/alerts/{alert_id}/approve", data={"seen": digest.group(1)}, headers=author.headers
    )
    assert refused.status_code == 403 and "four eyes" in refused.text
    queue = client.get("/alerts/queue", headers=approver.headers).text
    assert f'data-alert="{alert_id}"' in queue.split('id="waiting-table"')[1]
    stale = client.post(
        f"/alerts/{alert_id}/approve", data={"seen": "0" * 64}, headers=approver.headers
    )
    assert stale.status_code == 409 and "changed after you read it" in stale.text
    client.post(
        f"/alerts/{alert_id}/approve", data={"seen": digest.group(1)}, headers=approver.headers
    )
    issued = client.get(f"/alerts/{alert_id}/issue", headers=author.headers)
    assert issued.status_code == 405  # steps are forms, never links
    client.post(f"/alerts/{alert_id}/issue", headers=author.headers)
    (row,) = stored(engine)
    assert row.state == "issued"
    active = client.get("/alerts", headers=author.headers).text
    assert f'data-alert="{alert_id}"' in active and "cap-severity-Severe" in active
    shown = client.get(f"/alerts/{alert_id}", headers=author.headers).text
    url = re.search(r'id="public-cap" type="application/cap\+xml">([^<]+)<', shown)
    assert url is not None and url.group(1).endswith(f"/{row.identifier}.xml")
    public = client.get(url.group(1))
    assert public.status_code == 200 and parse_alert(public.content).identifier == row.identifier

    update = client.get(f"/alerts/{alert_id}/update", headers=author.headers).text
    assert 'value="Strong earthquake in Shamakhi and Ismayilli"' in update
    changed = warning(settings, en_headline="Aftershocks expected in Shamakhi")
    update_id = created_id(post(client, f"/alerts/{alert_id}/update", author, changed))
    draft = next(r for r in stored(engine) if r.id == update_id)
    assert draft.msg_type == "Update" and draft.supersedes == alert_id
    assert row.identifier in (parse_alert(draft.xml.encode()).references or "")
    empty = client.post(f"/alerts/{alert_id}/cancel", data={"note": ""}, headers=author.headers)
    assert empty.status_code == 422 and "say why" in empty.text
    cancel = post(client, f"/alerts/{alert_id}/cancel", author, {"note": "No further danger."})
    cancel_id = created_id(cancel)
    assert next(r for r in stored(engine) if r.id == cancel_id).msg_type == "Cancel"


def test_an_edit_shows_the_draft_and_saves_it_unchanged(
    client: TestClient, engine: Engine, settings: Settings, author: Person
) -> None:
    form = warning(settings, polygons="40.60,48.55 40.70,48.75 40.55,48.80", en_area_desc="")
    alert_id = created_id(post(client, "/alerts/new", author, form))
    page = client.get(f"/alerts/{alert_id}/edit", headers=author.headers)
    assert page.status_code == 200 and 'id="lossy"' not in page.text
    values = dict(re.findall(r'<input id="(\w+)" name="\1"[^>]* value="([^"]*)"', page.text))
    assert values["expires"] == form["expires"] and values["az_event"] == "Zəlzələ"
    assert values["en_area_desc"] == ""  # the districts' names, which follow the districts
    (before,) = stored(engine)
    again = post(client, f"/alerts/{alert_id}/edit", author, form)
    assert again.status_code == 303
    (after,) = stored(engine)
    first, second = (parse_alert(r.xml.encode()) for r in (before, after))
    assert form_of(first) == form_of(second) and first.identifier == second.identifier


def test_a_pasted_cap_document_becomes_a_draft_and_a_bad_one_is_named(
    client: TestClient, engine: Engine, settings: Settings, author: Person
) -> None:
    document = write_alert(to_alert(shared.form(), identifier="x.1", sender="x", sent=NOW))
    made = post(client, "/alerts/new/xml", author, {"cap_xml": document.decode("utf-8")})
    alert_id = created_id(made)
    (row,) = stored(engine)
    assert row.id == alert_id and row.sender == settings.alerts_sender  # the desk's identity
    broken = document.decode("utf-8").replace("<urgency>Expected</urgency>", "")
    page = post(client, "/alerts/new/xml", author, {"cap_xml": broken})
    assert page.status_code == 422 and len(stored(engine)) == 1
    assert 'id="paste-xml" open' in page.text and "urgency" in page.text
    assert "&lt;event&gt;Sel təhlükəsi&lt;/event&gt;" in page.text  # kept as pasted


def test_an_alert_the_form_cannot_hold_is_edited_only_after_a_warning(
    client: TestClient, engine: Engine, settings: Settings, author: Person
) -> None:
    az, en = shared.info("az"), shared.info("en", severity="Minor")
    again = replace(shared.info("en"), language="en-GB")
    row = desk.create(author.ctx(engine, settings), settings, AlertForm(infos=(az, en, again)))
    page = client.get(f"/alerts/{row.id}/edit", headers=author.headers)
    lossy = html.unescape(page.text.split('id="lossy"')[1].split("</div>")[0])
    assert "<code>severity</code>" in lossy and "<code>en-GB</code>" in lossy
    assert 'id="en_event" name="en_event" value="Mudflow hazard"' in page.text
    plain = created_id(post(client, "/alerts/new", author, warning(settings)))
    assert 'id="lossy"' not in client.get(f"/alerts/{plain}/edit", headers=author.headers).text


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("alert/info[2]/headline", "en_headline"),
        ("alert/info[1]/area[1]/areaDesc", "az_area_desc"),
        ("alert/info[1]/area[1]/polygon[3]", "polygons"),
        ("alert/info[2]/area[1]", "district"),
        ("alert/info[1]/resource[2]/mimeType", "resource_2"),
        ("alert/info[1]/responseType[1]", "response_type"),
        ("alert/info[3]/event", "languages"),
        ("alert/info", "languages"),
        ("alert/restriction", "restriction"),
        ("alert/code[2]", "codes"),
        ("alert/references", ""),
        ("polygons", "polygons"),
    ],
)
def test_an_element_path_names_its_field(path: str, field: str) -> None:
    assert field_of(path, ("az", "en")) == field


def test_the_form_is_labelled_in_the_page_language(
    client: TestClient, engine: Engine, settings: Settings, author: Person
) -> None:
    page = client.get("/alerts/new?lang=az", headers=author.headers).text
    assert ">Geofiziki<" in page.replace("> ", ">") and "Şamaxı" in page
    assert ">Geophysical<" not in page.replace("> ", ">")
