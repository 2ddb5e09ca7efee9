"""The oversight pages: who may see them, the dashboard's figures and anomalies, the audit
trail browser, chain verification, and complaints registered and moved on through forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from qalxan.access import audit, complaints
from qalxan.access.complaint_routing import Subject
from qalxan.access.periods import zone_of
from qalxan.access.tables import AuditRow, ComplaintRow
from qalxan.doctrine.registry import Doctrine
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web.app import create_app
from tests.access import synthetic
from tests.access.synthetic import actor, baku, event, read
from tests.people import Person, make_person
from tests.web.test_account_pages import HTML, sign_in

MARCH = {"since": "2026-03-01", "until": "2026-03-31"}


@dataclass(frozen=True)
class Staff:
    overseer: Person
    analyst: Person
    clerk: Person
    sbs_admin: Person


@pytest.fixture
def web(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def staff(
    engine: Engine, settings: Settings, doctrine: Doctrine, monkeypatch: pytest.MonkeyPatch
) -> Staff:
    monkeypatch.setattr("tests.people.load_bundled", lambda: doctrine)

    def person(name: str, agency: str, role: str) -> Person:
        return make_person(engine, settings, name, agency, [role], with_key=False)

    return Staff(
        overseer=person("ombudsman", "agency-ombudsman", "oversight"),
        analyst=person("analyst", "agency-mia", "analyst"),
        clerk=person("clerk", "agency-sss", "reporter"),
        sbs_admin=person("sbs.admin", "agency-sbs", "agency_admin"),
    )


def trail_of(engine: Engine, action: str, actor_name: str) -> list[tuple[str, dict[str, Any]]]:
    """The outcome and detail of each of ``actor_name``'s ``action`` records, in order."""
    with transaction(engine) as session:
        rows = session.scalars(
            select(AuditRow)
            .where(AuditRow.action == action, AuditRow.actor_name == actor_name)
            .order_by(AuditRow.seq)
        ).all()
        return [(r.outcome, r.detail) for r in rows]


def link(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', html)
    assert found is not None, f"no link #{element_id}"
    return unescape(found.group(1))


def injected(engine: Engine, settings: Settings) -> None:
    """A March 2026 with one finding of every anomaly rule, a refusal and some case work."""
    heavy, night, roamer = (
        actor("k.huseynov", "agency-mia"),
        actor("l.mammadova", "agency-sbs"),
        actor("r.aliyev", "agency-mia"),
    )
    wednesday = [read(baku(2026, 3, 11, 10, i % 60), heavy) for i in range(60)]
    synthetic.append(
        engine,
        settings,
        [
            *wednesday,
            read(baku(2026, 3, 14, 3, 5), night),  # a Saturday, at night
            read(baku(2026, 3, 10, 11), roamer, record_agency="agency-sss"),
            event(baku(2026, 3, 10, 12), roamer, "bulletin.update", record_type="bulletin"),
            synthetic.Event(
                baku(2026, 3, 10, 12, 30),
                roamer,
                audit.Entry("bulletin.read", "bulletin", "r-9", "agency-sss"),
                "denied",
            ),
            event(
                baku(2026, 3, 12, 9),
                night,
                "screening.decide",
                record_type="screening",
                record_id="s-1",
                record_agency="agency-sbs",
                detail={"disposition": "false_positive"},
            ),
            event(baku(2026, 3, 12, 9, 30), night, "case.open", record_type="case"),
        ],
    )


def test_only_oversight_users_see_the_dashboard_and_the_trail(
    web: TestClient, engine: Engine, staff: Staff
) -> None:
    for path in ("/oversight", "/oversight/audit", "/oversight/complaints"):
        response = web.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    csrf = sign_in(web, "analyst")
    assert 'href="/oversight"' not in web.get("/account").text
    for path in ("/oversight", "/oversight/audit", "/oversight/complaints"):
        response = web.get(path, headers=HTML)
        assert response.status_code == 403, path
        assert "text/html" in response.headers["content-type"]
        assert "your roles do not permit" in response.text
    assert web.post("/oversight/verify", data={"csrf_token": csrf}).status_code == 403
    # Every refusal is on the trail.
    [(outcome, detail)] = trail_of(engine, "oversight.read", "analyst")
    assert outcome == "denied" and detail["view"] == "dashboard"
    assert [o for o, _ in trail_of(engine, "audit.read", "analyst")] == ["denied"]
    assert [o for o, _ in trail_of(engine, "audit.verify", "analyst")] == ["denied"]
    assert [o for o, _ in trail_of(engine, "complaint.list", "analyst")] == ["denied"]


def test_the_dashboard_shows_figures_bars_anomalies_and_download_links(
    web: TestClient, engine: Engine, settings: Settings, staff: Staff
) -> None:
    injected(engine, settings)
    sign_in(web, "ombudsman")
    page = web.get("/oversight", params=MARCH)
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count("RESTRICTED - FOR OFFICIAL USE") == 2  # above and below
    assert 'href="/oversight" aria-current="page">Oversight' in html
    kinds = re.findall(r'data-kind="([a-z_]+)" data-user="([^"]+)"', html)
    assert kinds == [
        ("volume_spike", "k.huseynov"),
        ("off_hours", "l.mammadova"),
        ("cross_agency", "r.aliyev"),
    ]
    text_of = unescape(html)
    assert "60 reads on Wednesday 2026-03-11" in text_of
    assert "2 reads or changes of records owned by agency-sss" in text_of
    assert "Rule: reads on a day above max(50, mean + 3 x sd)" in text_of
    user = re.search(r'<tr data-user="k.huseynov">(.*?)</tr>', html, re.S)
    assert user is not None
    assert '<td class="num">60</td>' in user.group(1)
    assert 'class="reads" style="width: 100.0%"' in user.group(1)  # the busiest user
    agency = re.search(r'<tr data-agency="agency-mia">(.*?)</tr>', html, re.S)
    assert agency is not None and "Ministry of Internal Affairs" in agency.group(1)
    assert 'class="denied"' in agency.group(1)  # r.aliyev's refused read
    assert "false_positive: 1" in html
    # The downloads cover the same local days (until is exclusive there) and work by cookie.
    csv_url = link(html, "download-csv")
    assert csv_url == "/api/v1/oversight/access.csv?since=2026-03-01&until=2026-04-01"
    table = web.get(csv_url)
    assert table.status_code == 200 and "k.huseynov" in table.text
    report_url = link(html, "download-report")
    report = web.get(report_url)
    assert report.status_code == 200 and "signature" in report.json()
    assert len(report.json()["anomalies"]) == 3
    views = [d["view"] for o, d in trail_of(engine, "oversight.read", "ombudsman")]
    assert views[:3] == ["access", "summary", "anomalies"]


def test_a_wrong_period_is_explained_and_the_default_shown(
    web: TestClient, staff: Staff, settings: Settings
) -> None:
    sign_in(web, "ombudsman")
    today = datetime.now(zone_of(settings.timezone)).date().isoformat()
    default = web.get("/oversight")
    assert default.status_code == 200 and f"– {today}</strong>" in default.text
    backwards = web.get("/oversight", params={"since": "2026-04-01", "until": "2026-03-01"})
    assert backwards.status_code == 422 and "since: must be before until" in backwards.text
    assert 'value="2026-04-01"' in backwards.text and f"– {today}</strong>" in backwards.text
    garbled = web.get("/oversight", params={"since": "March"})
    assert garbled.status_code == 422 and "since: a date as YYYY-MM-DD" in garbled.text


def test_the_audit_trail_is_filtered_and_paged(
    web: TestClient, engine: Engine, settings: Settings, staff: Staff
) -> None:
    injected(engine, settings)
    sign_in(web, "ombudsman")
    first = web.get(
        "/oversight/audit", params={"action": "bulletin.", "agency": "agency-mia", **MARCH}
    )
    assert first.status_code == 200, first.text
    rows = re.findall(r'<tr data-seq="(\d+)" data-action="([^"]+)"', first.text)
    assert len(rows) == 50 and {a for _, a in rows} == {"bulletin.read"}
    following = re.search(r'href="(\?[^"]+)" rel="next"', first.text)
    assert following is not None
    more = web.get("/oversight/audit" + unescape(following.group(1)))
    rest = re.findall(r'<tr data-seq="(\d+)" data-action="([^"]+)"', more.text)
    assert int(rest[0][0]) == int(rows[-1][0]) + 1
    assert len(rest) == 13  # 61 reads by MIA users, an update and a refused read
    assert 'rel="next"' not in more.text and "First page" in more.text
    refused = web.get("/oversight/audit", params={"outcome": "denied", **MARCH}).text
    assert re.findall(r'data-action="([^"]+)" class="refused"', refused) == ["bulletin.read"]
    one = web.get("/oversight/audit", params={"actor": "id-l.mammadova", "record_type": "case"})
    assert re.findall(r'data-action="([^"]+)"', one.text) == ["case.open"]
    bad = web.get("/oversight/audit", params={"until": "31/03/2026"})
    assert bad.status_code == 422 and "until: a date as YYYY-MM-DD" in bad.text
    reads = [d for o, d in trail_of(engine, "audit.read", "ombudsman") if o == "success"]
    assert reads[0]["filters"] == {
        "action": "bulletin.",
        "actor_agency": "agency-mia",
        "since": "2026-03-01 00:00:00+04:00",
        "until": "2026-04-01 00:00:00+04:00",
    }


def test_verify_now_names_the_first_broken_record(
    web: TestClient, engine: Engine, staff: Staff
) -> None:
    csrf = sign_in(web, "ombudsman")
    assert 'action="/oversight/verify"' in web.get("/oversight").text
    assert web.post("/oversight/verify", data={}).status_code == 403  # no CSRF token
    intact = web.post("/oversight/verify", data={"csrf_token": csrf})
    assert intact.status_code == 200 and "<strong>Intact</strong>" in intact.text
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        conn.execute(text("UPDATE audit_log SET actor_name = 'nobody' WHERE seq = 3"))
    broken = web.post("/oversight/verify", data={"csrf_token": csrf})
    assert broken.status_code == 200
    assert "Broken at record 3" in broken.text and "the record was changed" in broken.text
    assert 'href="/oversight/audit?after=2"' in broken.text
    assert [o for o, _ in trail_of(engine, "audit.verify", "ombudsman")] == ["success"] * 2


def test_complaints_are_registered_and_moved_through_forms(
    web: TestClient, engine: Engine, settings: Settings, doctrine: Doctrine, staff: Staff
) -> None:
    csrf = sign_in(web, "ombudsman")
    filing = {
        "csrf_token": csrf,
        "kind": "record",
        "complainant": "Aysel Quliyeva",
        "contact": "aysel@example.az",
        "description": "A border alert about me is wrong.",
        "subject_type": "screening",
        "subject_id": "hit-77",
        "agency_id": "agency-sbs",
    }
    assert web.post("/oversight/complaints", data={**filing, "csrf_token": ""}).status_code == 403
    missing = web.post("/oversight/complaints", data={**filing, "complainant": ""})
    assert missing.status_code == 422 and "complainant: must not be empty" in missing.text
    assert 'value="aysel@example.az"' in missing.text  # what was typed comes back
    made = web.post("/oversight/complaints", data=filing)
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    detail = web.get(made.headers["location"]).text
    assert "The complaint has been registered and routed." in detail
    assert "State Border Service" in detail and "Aysel Quliyeva" in detail
    assert "routed to agency-sbs: the agency named by the filer" in unescape(detail)
    assert re.search(r"<h1>C-\d{4}-000001 ", detail)

    move = f"{url}/events"
    assert web.post(move, data={"status": "acknowledged"}).status_code == 403  # no token
    wrong = web.post(move, data={"csrf_token": csrf, "status": "resolved"})
    assert wrong.status_code == 409 and "can become" in wrong.text
    step = web.post(move, data={"csrf_token": csrf, "status": "acknowledged"})
    assert step.status_code == 303 and step.headers["location"].endswith("?done=moved")
    silent = web.post(move, data={"csrf_token": csrf, "status": "resolved"})
    assert silent.status_code == 422 and "say why" in silent.text
    done = web.post(
        move, data={"csrf_token": csrf, "status": "resolved", "note": "Alert withdrawn"}
    )
    assert done.status_code == 303
    closed = web.get(url).text
    events = re.findall(r'<tr data-status="([a-z_]+)">', closed)
    assert events == ["received", "acknowledged", "resolved"]
    assert "Alert withdrawn" in closed and 'id="status-form"' not in closed

    # A complaint left unanswered since January is overdue, and the list says so.
    late = complaints.file(
        staff.clerk.ctx(engine, settings),
        doctrine,
        complaints.Filing(
            "record", "Old case", "Never answered", subject=Subject(agency_id="agency-sbs")
        ),
        zone_of(settings.timezone),
        now=datetime(2026, 1, 5, 9, tzinfo=UTC),
    ).complaint
    listing = web.get("/oversight/complaints").text
    assert re.search(rf'data-reference="{late.reference}" class="overdue"', listing)
    assert '<td class="nowrap late">2026-01-08</td>' in listing  # acknowledge by, 3 working days
    assert re.search(r'data-reference="C-\d{4}-000001" class=""', listing)
    card = '<div class="bad"><span class="count">1</span>Overdue complaints</div>'
    assert card in web.get("/oversight").text

    # The agency that must answer sees its own complaints; a clerk may only register one.
    with TestClient(web.app, follow_redirects=False) as other:
        sign_in(other, "sbs.admin")
        theirs = other.get("/oversight/complaints").text
        assert late.reference in theirs and 'id="new-complaint"' in theirs
        assert 'href="/oversight"' not in theirs  # no dashboard without oversight:read
    with TestClient(web.app, follow_redirects=False) as clerk:
        sign_in(clerk, "clerk")
        form_only = clerk.get("/oversight/complaints").text
        assert 'id="new-complaint"' in form_only and 'id="complaints"' not in form_only
    with transaction(engine) as session:
        assert len(session.scalars(select(ComplaintRow)).all()) == 2
