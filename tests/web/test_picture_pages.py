"""The threat picture dashboard, server-rendered: levels with their reasons, regions, links to
the incidents behind each figure; only for readers of assessments."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qalxan.picture import rollup, warnings
from qalxan.picture.contribution import Contribution
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.people import load_bundled, make_person
from tests.picture import test_indicators as indicated

TODAY = date(2026, 11, 20)


def seed(engine: Engine) -> None:
    surge = [
        Contribution(
            TODAY - timedelta(days=i % 5), "AZ-TOV", "armed-clash", ("threat-3-1",), 5, 1, 0, 1
        )
        for i in range(10)
    ]
    with session_factory(engine)() as session, session.begin():
        rollup.apply(session, [(None, c) for c in surge])


def test_the_dashboard_shows_levels_regions_and_links(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    seed(engine)
    analyst = make_person(engine, settings, "sss.analyst", "agency-sss", ["analyst"])
    page = client.get(f"/picture?date={TODAY}", headers=analyst.headers)
    assert page.status_code == 200
    html = page.text
    assert 'id="levels-table"' in html and 'data-threat="threat-3-11"' in html
    assert 'data-region="AZ-TOV"' in html
    assert "/incidents?threat=threat-3-1" in html
    assert 'href="/picture"' in html  # in the navigation
    region = client.get(f"/picture?date={TODAY}&region=az-tov", headers=analyst.headers)
    assert region.status_code == 200 and "Tovuz" in region.text
    bad = client.get("/picture?date=2026-02-30", headers=analyst.headers)
    assert bad.status_code == 422 and "date" in bad.text


def test_only_readers_of_assessments_see_the_picture(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    reporter = make_person(engine, settings, "police.rep", "agency-police", ["reporter"])
    assert client.get("/picture", headers=reporter.headers).status_code == 403
    home = client.get("/", headers=reporter.headers)
    assert 'href="/picture"' not in home.text


def test_an_analyst_assesses_a_threat_from_the_register_page(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    analyst = make_person(engine, settings, "sss.analyst", "agency-sss", ["analyst"])
    page = client.get("/picture/risks", headers=analyst.headers)
    assert page.status_code == 200 and 'id="matrix-table"' in page.text
    form = {
        "threat": "threat-3-2",
        "region": "AZ-TOV",
        "likelihood": "4",
        "impact": "5",
        "justification": "Several seizures on the route.",
        "classification": "restricted",
        "tlp": "GREEN",
    }
    done = client.post("/picture/risks", data=form, headers=analyst.headers, follow_redirects=False)
    assert done.status_code == 303 and "region=AZ-TOV" in done.headers["location"]
    shown = client.get(done.headers["location"], headers=analyst.headers).text
    assert "Several seizures on the route." in shown
    assert 'data-cell="4x5"' in shown and ">3.2<" in shown.split('data-cell="4x5"')[1][:80]
    bad = client.post("/picture/risks", data={**form, "likelihood": "9"}, headers=analyst.headers)
    assert bad.status_code == 422 and "likelihood" in bad.text
    assert "Several seizures" in bad.text  # the register still shows, and the form is kept


def test_open_warnings_are_listed_live_and_closed_from_the_dashboard(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    analyst = make_person(engine, settings, "sss.analyst", "agency-sss", ["analyst"])
    quiet = [
        Contribution(
            TODAY - timedelta(days=7 * w), "AZ-TOV", "armed-clash", ("threat-3-1",), 3, 0, 0, 1
        )
        for w in range(2, 20)
    ]
    surge = [
        Contribution(
            TODAY - timedelta(days=8), "AZ-TOV", "armed-clash", ("threat-3-1",), 5, 1, 0, 1
        )
    ] * 12
    with session_factory(engine)() as session, session.begin():
        rollup.apply(session, [(None, c) for c in quiet + surge])
    raised = warnings.run(analyst.ctx(engine, settings), load_bundled(), TODAY)
    assert raised, "the surge must warn"
    page = client.get("/picture", headers=analyst.headers).text
    assert 'id="warnings-table"' in page and 'data-live-kinds="warning.raised"' in page
    shown = [w for w in raised if f'data-warning="{w.id}"' in page]
    assert shown
    done = client.post(
        f"/picture/warnings/{shown[0].id}",
        data={"status": "acknowledged", "note": "Seen; patrols informed."},
        headers=analyst.headers,
        follow_redirects=False,
    )
    assert done.status_code == 303 and "done=acknowledged" in done.headers["location"]
    again = client.get("/picture", headers=analyst.headers).text
    assert f'data-warning="{shown[0].id}"' not in again


def test_the_dashboard_draws_the_map_and_trends(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    seed(engine)
    analyst = make_person(engine, settings, "sss.analyst", "agency-sss", ["analyst"])
    html = client.get(f"/picture?date={TODAY}", headers=analyst.headers).text
    assert 'id="map"' in html and 'data-code="AZ-TOV"' in html
    assert 'data-trend="threat-3-1"' in html and "<svg" in html.split('data-trend="threat-3-1"')[1]


def test_the_assessment_is_previewed_downloaded_and_its_narrative_written(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    seed(engine)
    analyst = make_person(engine, settings, "sss.analyst", "agency-sss", ["analyst"])
    page = client.get("/picture/assessment?period=2026-10", headers=analyst.headers)
    assert page.status_code == 200 and 'id="assessment-preview"' in page.text
    written = client.post(
        "/picture/assessment",
        data={
            "period": "2026-10",
            "narrative": "Calm month.\n\nOne surge in Tovuz.",
            "classification": "restricted",
        },
        headers=analyst.headers,
        follow_redirects=False,
    )
    assert written.status_code == 303
    shown = client.get("/picture/assessment/2026-10.html", headers=analyst.headers)
    assert shown.status_code == 200 and "One surge in Tovuz." in shown.text
    pdf = client.get("/picture/assessment/2026-10.pdf", headers=analyst.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/picture/assessment/2026-1.pdf", headers=analyst.headers).status_code == 422
    bad = client.get("/picture/assessment?period=2026-13", headers=analyst.headers)
    assert bad.status_code == 422 and "period" in bad.text
    empty = client.post(
        "/picture/assessment",
        data={"period": "2026-10", "narrative": "", "classification": "restricted"},
        headers=analyst.headers,
    )
    assert empty.status_code == 422 and "narrative" in empty.text


def test_the_dashboard_and_the_api_show_the_indicators(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    reporter = make_person(engine, settings, "police.rep", "agency-police", ["duty_officer"])
    day, today = indicated.WEEK + timedelta(days=1), indicated.TODAY
    attack = indicated.at(day, 9)
    indicated.report(engine, settings, reporter, attack, "remote-explosive", indicated.ON_BTC)
    crossing = indicated.at(day, 10)
    indicated.report(
        engine, settings, reporter, crossing, "illegal-border-crossing", admin1="AZ-AGA"
    )
    analyst = make_person(engine, settings, "sss.analyst", "agency-sss", ["analyst"])

    html = client.get(f"/picture?date={today}", headers=analyst.headers).text
    assert 'id="indicators-table"' in html
    pipeline = html.split('data-indicator="pipeline-proximity"')[1].split("</tr>")[0]
    assert "triggered" in pipeline and "at least 1" in pipeline and "3.6" in pipeline
    assert "at or above the threshold of 1" in pipeline and "<a href" not in pipeline
    crossings = html.split('data-indicator="illegal-crossings"')[1].split("</tr>")[0]
    link = f"/incidents?event_type=illegal-border-crossing&amp;since={indicated.WEEK}"
    assert link in crossings and "Agstafa" in crossings

    answer = client.get(f"/api/v1/picture/indicators?date={today}", headers=analyst.headers)
    assert answer.status_code == 200
    assert answer.json()["today"] == today.isoformat()
    found = {(r["indicator"], r["region"]): r for r in answer.json()["results"]}
    near = found[("pipeline-proximity", "")]
    assert near["triggered"] and near["count"] == 1 and near["threshold"] == 1
    assert near["threat"] == "threat-3-6" and near["since"] == indicated.WEEK.isoformat()
    assert near["name"]["az"] and near["incidents_url"] is None
    assert found[("illegal-crossings", "AZ-AGA")]["incidents_url"].startswith("/incidents?")
    assert not found[("border-ceasefire-violations", "")]["triggered"]

    url = "/api/v1/picture/indicators"
    assert client.get(url, headers=reporter.headers).status_code == 403
    assert client.get(url).status_code == 401
    bad = client.get(f"{url}?date=2026-02-30", headers=analyst.headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "date"
