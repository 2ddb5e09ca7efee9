"""The report form, the incident queue and page, and the case pages, through a TestClient:
who may see them, a bad field sent back beside its input, CSRF on every form, and the whole
flow from a report to a case worked by a supporting agency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from qalxan.doctrine.registry import Doctrine
from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import make_person
from tests.web.test_account_pages import HTML, sign_in

NARRATIVE = "Border guards detained two men carrying 12 kg of heroin across the border near Astara."


@dataclass(frozen=True)
class Staff:
    sbs: str
    sss: str
    mes: str
    analyst: str


@pytest.fixture
def web(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def staff(
    engine: Engine, settings: Settings, doctrine: Doctrine, monkeypatch: pytest.MonkeyPatch
) -> Staff:
    monkeypatch.setattr("tests.people.load_bundled", lambda: doctrine)

    def person(name: str, agency: str, roles: list[str], clearance: str = "secret") -> str:
        make_person(engine, settings, name, agency, roles, clearance, with_key=False)
        return name

    return Staff(
        sbs=person("sbs.duty", "agency-sbs", ["duty_officer"], "confidential"),
        sss=person("sss.duty", "agency-sss", ["duty_officer", "analyst"]),
        mes=person("mes.duty", "agency-mes", ["duty_officer"]),
        analyst=person("mia.analyst", "agency-mia", ["analyst"]),
    )


def baku_now(hours_ago: float = 1) -> str:
    moment = datetime.now(ZoneInfo("Asia/Baku")) - timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


def form(csrf: str, **changes: str) -> dict[str, str]:
    fields = {
        "csrf_token": csrf,
        "origin_ref": "",
        "narrative": NARRATIVE,
        "observed_at": baku_now(),
        "event_type": "",
        "place_text": "",
        "lat": "38.456",
        "lon": "48.875",
        "killed": "0",
        "injured": "0",
        "missing": "0",
        "source": "patrol",
        "source_reliability": "B",
        "info_credibility": "2",
        "classification": "unclassified",
        "tlp": "AMBER",
        "damage": "",
    }
    return {**fields, **changes}


def incident_of(response: Response) -> str:
    assert response.status_code == 303, response.text
    found = re.match(r"^/incidents/([0-9a-f]+)\?filed=", response.headers["location"])
    assert found is not None, response.headers["location"]
    return found.group(1)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def switch(web: TestClient, username: str) -> str:
    web.cookies.clear()
    return sign_in(web, username)


def test_the_form_renders_for_a_duty_officer_with_the_map_and_choices(
    web: TestClient, staff: Staff
) -> None:
    sign_in(web, staff.sbs)
    page = web.get("/reports/new", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert 'href="/reports/new" aria-current="page"' in html  # the navigation's Report link
    assert html.count('<path d="M') > 70  # every district drawn, server-side
    assert "<title>Astara District</title>" in html
    assert "data-pick-map" in html and 'data-lat="lat"' in html
    assert '<option value="">Work it out from the text</option>' in html
    assert '<optgroup label="Organised crime">' in html
    assert "B · Usually reliable" in html and "6 · Truth cannot be judged" in html
    # A confidential clearance cannot mark a report secret.
    assert 'value="confidential"' in html and 'value="secret"' not in html
    assert re.search(r'name="origin_ref" value="form:[\w-]{16,}"', html)
    assert "Asia/Baku" in html
    az = web.get("/reports/new?lang=az", headers=HTML).text
    assert "Yeni vəziyyət hesabatı" in az
    assert "<title>Astara</title>" in az


def test_anonymous_browsers_are_sent_to_sign_in_and_others_refused(
    web: TestClient, staff: Staff
) -> None:
    for path in ("/reports/new", "/incidents", "/cases", "/incidents/abc", "/cases/abc"):
        answer = web.get(path, headers=HTML)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=")
    assert web.post("/reports/new", data=form("x"), headers=HTML).status_code == 303
    sign_in(web, staff.analyst)  # analysts read and correct reports but do not file them
    refused = web.get("/reports/new", headers=HTML)
    assert refused.status_code == 403
    assert 'href="/reports/new"' not in web.get("/incidents", headers=HTML).text


def test_a_bad_field_is_sent_back_beside_its_input_with_the_values_kept(
    web: TestClient, staff: Staff
) -> None:
    csrf = sign_in(web, staff.sbs)
    bad = web.post(
        "/reports/new", data=form(csrf, lat="north", title="Seizure at Astara"), headers=HTML
    )
    assert bad.status_code == 422
    assert '<p class="field-error" id="lat-error" role="alert">lat: a number' in bad.text
    assert 'id="lat" name="lat"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="Seizure at Astara"' in bad.text and NARRATIVE in bad.text
    future = web.post("/reports/new", data=form(csrf, observed_at=baku_now(-3)), headers=HTML)
    assert future.status_code == 422 and 'id="observed_at-error"' in future.text
    assert "observed_at: in the future" in future.text
    half = web.post("/reports/new", data=form(csrf, lon=""), headers=HTML)
    assert half.status_code == 422 and 'id="lon-error"' in half.text
    above = web.post("/reports/new", data=form(csrf, classification="secret"), headers=HTML)
    assert above.status_code == 422 and 'id="classification-error"' in above.text


def test_filing_redirects_to_the_incident_and_says_why_it_started_or_joined(
    web: TestClient, staff: Staff
) -> None:
    csrf = sign_in(web, staff.sbs)
    first = web.post("/reports/new", data=form(csrf, origin_ref="form:first"), headers=HTML)
    incident_id = incident_of(first)
    page = web.get(first.headers["location"], headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Your report started a new incident." in text
    assert "3.5 Regional conflicts" in text and 'href="/doctrine/threats/threat-3-5"' in page.text
    assert "Astara District" in text and "B2" in text
    assert 'class="marker" transform="translate(' in page.text
    assert 'data-agency="agency-sss"' in page.text  # routed to the supporting agency
    # Sending the same form twice stores it once.
    again = web.post("/reports/new", data=form(csrf, origin_ref="form:first"), headers=HTML)
    assert again.headers["location"].endswith("&repeated=1")
    assert incident_of(again) == incident_id
    second = web.post(
        "/reports/new",
        data=form(csrf, origin_ref="form:second", observed_at=baku_now(0.5)),
        headers=HTML,
    )
    assert incident_of(second) == incident_id
    joined = text_of(web.get(second.headers["location"], headers=HTML).text)
    assert "Your report joined this existing incident." in joined
    assert "match score" in joined and "km apart" in joined
    assert "Reports (2)" in joined

    report_id = first.headers["location"].split("filed=")[1]
    base = f"/incidents/{incident_id}/reports/{report_id}/attachments"
    empty = web.post(base, data={"csrf_token": csrf}, headers=HTML)
    assert empty.status_code == 422 and "file: choose a file to attach" in empty.text
    attached = web.post(
        base,
        data={"csrf_token": csrf},
        files={"file": ("photo.txt", b"a photo of the seized packets", "text/plain")},
        headers=HTML,
    )
    assert attached.status_code == 303 and "done=attached" in attached.headers["location"]
    notice = web.get(attached.headers["location"], headers=HTML).text
    download = re.search(r'href="(/api/v1/reports/\w+/attachments/\w+)"', notice)
    assert download is not None
    assert web.get(download.group(1)).content == b"a photo of the seized packets"


def test_every_form_needs_the_csrf_token(web: TestClient, staff: Staff) -> None:
    csrf = sign_in(web, staff.sbs)
    incident_id = incident_of(web.post("/reports/new", data=form(csrf), headers=HTML))
    no_token = {k: v for k, v in form(csrf).items() if k != "csrf_token"}
    assert web.post("/reports/new", data=no_token, headers=HTML).status_code == 403
    for path in ("acknowledge", "merge", "split", "reports/r/label"):
        url = f"/incidents/{incident_id}/{path}"
        assert web.post(url, data={"reason": "x"}, headers=HTML).status_code == 403, path
    upload = web.post(
        f"/incidents/{incident_id}/reports/r/attachments",
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers=HTML,
    )
    assert upload.status_code == 403


def test_an_incident_is_a_404_for_an_agency_it_is_not_routed_to(
    web: TestClient, staff: Staff
) -> None:
    csrf = sign_in(web, staff.sbs)
    incident_id = incident_of(web.post("/reports/new", data=form(csrf), headers=HTML))
    csrf = switch(web, staff.mes)
    hidden = web.get(f"/incidents/{incident_id}", headers=HTML)
    missing = web.get("/incidents/0123456789abcdef01234567", headers=HTML)
    assert hidden.status_code == missing.status_code == 404
    assert "not_found" in hidden.text
    ack = web.post(f"/incidents/{incident_id}/acknowledge", data={"csrf_token": csrf}, headers=HTML)
    assert ack.status_code == 404
    assert incident_id not in web.get("/incidents", headers=HTML).text


def test_a_supporting_agency_acknowledges_and_works_the_case(web: TestClient, staff: Staff) -> None:
    csrf = sign_in(web, staff.sbs)
    filed = web.post("/reports/new", data=form(csrf, injured="3"), headers=HTML)
    incident_id = incident_of(filed)
    report_id = filed.headers["location"].split("filed=")[1]

    csrf = switch(web, staff.sss)
    queue = web.get("/incidents?mine=1", headers=HTML).text
    row = re.search(rf'<tr data-incident="{incident_id}" class="([^"]*)">(.*?)</tr>', queue, re.S)
    assert row is not None and row.group(1) == "to-acknowledge"
    assert "acknowledge by" in row.group(2) and "supporting" in row.group(2)
    assert 'data-live-feed="/api/v1/stream"' in queue
    page = web.get(f"/incidents/{incident_id}", headers=HTML).text
    assert "Acknowledge and open our case" in page
    assert 'id="merge-form"' not in page  # only the owning agency merges and splits

    labelled = web.post(
        f"/incidents/{incident_id}/reports/{report_id}/label",
        data={"csrf_token": csrf, "event_type": "smuggling"},
        headers=HTML,
    )
    assert labelled.status_code == 303 and "done=labelled" in labelled.headers["location"]
    wrong = web.post(
        f"/incidents/{incident_id}/reports/{report_id}/label",
        data={"csrf_token": csrf, "event_type": "no-such-type"},
        headers=HTML,
    )
    assert wrong.status_code == 422 and "unknown event type" in wrong.text

    opened = web.post(
        f"/incidents/{incident_id}/acknowledge", data={"csrf_token": csrf}, headers=HTML
    )
    assert opened.status_code == 303
    case_url = opened.headers["location"]
    case_id = case_url.split("/")[2].split("?")[0]
    case = web.get(case_url, headers=HTML).text
    assert "this is its case" in case and 'value="in_progress"' in case

    def post(path: str, **fields: str) -> Response:
        url = f"/cases/{case_id}/{path}"
        answer: Response = web.post(url, data={"csrf_token": csrf, **fields}, headers=HTML)
        return answer

    refused = post("status", status="closed", reason="")
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    assert post("status", status="in_progress", reason="").status_code == 303
    assert post("tasks", title="Question the suspects", detail="", due_at="").status_code == 303
    assert post("comments", text="Customs informed.").status_code == 303
    assert post("assign", assignee_id="").status_code == 303
    asked = post("requests", to_agency="agency-mes", request="Medics for the injured")
    assert asked.status_code == 303
    detail = web.get(f"/cases/{case_id}", headers=HTML).text
    kinds = re.findall(r'<li data-kind="(\w+)">', detail)
    assert kinds == ["opened", "status", "task", "comment", "assigned", "request"]
    assert "Question the suspects" in detail and "Customs informed." in detail
    task_id = re.search(r'data-task="(\w+)"', detail)
    assert task_id is not None
    assert post(f"tasks/{task_id.group(1)}", status="done").status_code == 303

    csrf = switch(web, staff.mes)
    cases = web.get("/cases", headers=HTML).text
    assert "Medics for the injured" in cases
    request_id = re.search(r'id="request-(\w+)"', cases)
    assert request_id is not None
    url = f"/cases/requests/{request_id.group(1)}"
    declined = web.post(url, data={"csrf_token": csrf, "decision": "decline"}, headers=HTML)
    assert declined.status_code == 422 and "declining needs a reason" in declined.text
    accepted = web.post(url, data={"csrf_token": csrf, "decision": "accept"}, headers=HTML)
    assert accepted.status_code == 303 and "done=accepted" in accepted.headers["location"]
    # The other agency's case stays its own.
    assert web.get(f"/cases/{case_id}", headers=HTML).status_code == 404


def test_the_owning_agency_merges_and_splits_with_errors_in_place(
    web: TestClient, staff: Staff
) -> None:
    csrf = sign_in(web, staff.sbs)
    first = web.post("/reports/new", data=form(csrf), headers=HTML)
    target = incident_of(first)
    other = web.post(
        "/reports/new",
        data=form(
            csrf,
            narrative="Three men crossed the border illegally near Bilasuvar at night.",
            lat="39.45",
            lon="48.55",
        ),
        headers=HTML,
    )
    source = incident_of(other)
    assert source != target
    moved_report = other.headers["location"].split("filed=")[1]

    def act(path: str, **fields: str | list[str]) -> Response:
        url = f"/incidents/{target}/{path}"
        answer: Response = web.post(url, data={"csrf_token": csrf, **fields}, headers=HTML)
        return answer

    missing = act("merge", source_id="0123456789abcdef01234567", reason="same event")
    assert missing.status_code == 422
    merge_form = missing.text.split('id="merge-form"')[1].split("</form>")[0]
    assert "no incident has the id" in merge_form and "same event" in merge_form
    no_reason = act("merge", source_id=source, reason="")
    assert no_reason.status_code == 422
    merged = act("merge", source_id=source, reason="the same patrol's two sightings")
    assert merged.status_code == 303 and f"other={source}" in merged.headers["location"]
    page = text_of(web.get(merged.headers["location"], headers=HTML).text)
    assert f"Incident {source} was merged into this one." in page and "Reports (2)" in page

    everything = act(
        "split", report_ids=[moved_report, first.headers["location"].split("filed=")[1]]
    )
    assert everything.status_code == 422  # a reason is needed, and one report must stay
    split = act("split", report_ids=[moved_report], reason="a different crossing after all")
    assert split.status_code == 303
    fresh = split.headers["location"].split("other=")[1]
    assert "Reports (1)" in text_of(web.get(f"/incidents/{fresh}", headers=HTML).text)
