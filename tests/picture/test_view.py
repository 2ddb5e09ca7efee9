"""The picture as a reader sees it: levels, trends and the map from the rollups, counting only
what the reader is cleared for, with links to the incidents behind each cell."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from qalxan.access.tables import AuditRow
from qalxan.picture import rollup, view
from qalxan.picture.contribution import Contribution, watched
from qalxan.picture.register import Judgements
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from qalxan.web.app import create_app
from tests.people import Person, make_person

TODAY = date(2026, 11, 20)
CLASH = "threat-3-1"
CRIME = "threat-3-5"


def counted(
    day: date, threat: str, region: str = "AZ-TOV", severity: int = 3, classification: int = 1
) -> Contribution:
    return Contribution(day, region, "armed-clash", (threat,), severity, 0, 0, classification)


def store(engine: Engine, contributions: list[Contribution]) -> None:
    with session_factory(engine)() as session, session.begin():
        rollup.apply(session, [(None, c) for c in contributions])


@pytest.fixture
def history(engine: Engine) -> None:
    """A year of one clash a fortnight in Tovuz, then a surge of severe clashes in the last
    week; a steady trickle of crime in Baku; a secret incident; one abroad."""
    quiet = [counted(TODAY - timedelta(days=40 + 14 * i), CLASH) for i in range(26)]
    surge = [counted(TODAY - timedelta(days=i % 6), CLASH, severity=5) for i in range(12)]
    crime = [
        counted(TODAY - timedelta(days=3 * i), CRIME, region="AZ-BA", severity=2)
        for i in range(130)
    ]
    secret = [counted(TODAY - timedelta(days=2), CRIME, region="AZ-GA", classification=3)]
    abroad = [counted(TODAY - timedelta(days=1), CLASH, region="GE")]
    store(engine, quiet + surge + crime + secret + abroad)


def cells(found: view.Picture, region: str = "") -> dict[str, view.Cell]:
    chosen = found.national if region == "" else found.regions[region]
    return {c.threat: c for c in chosen}


@pytest.mark.usefixtures("history")
def test_levels_rise_with_a_surge_and_stay_low_where_nothing_changed(engine: Engine) -> None:
    with session_factory(engine)() as session:
        found = view.compute(session, TODAY, list(watched()), clearance=4, judgements=Judgements())
    clash = cells(found)[CLASH]
    assert clash.recent == 12 and clash.level.level >= 4
    assert any("mean severity 5.0" in r for r in clash.level.reasons)
    assert cells(found, "AZ-TOV")[CLASH].level.level == clash.level.level
    crime = cells(found, "AZ-BA")[CRIME]
    assert crime.level.level == 1, crime.level.reasons  # as usual, and not severe
    assert cells(found)["threat-3-7"].recent == 0  # every threat of the Concept is listed
    assert "GE" not in found.regions  # abroad is not in the national picture
    assert "since=2026-10-26" in clash.incidents_url and "threat=threat-3-1" in clash.incidents_url
    assert "admin1=AZ-TOV" in cells(found, "AZ-TOV")[CLASH].incidents_url


@pytest.mark.usefixtures("history")
def test_a_reader_counts_only_what_they_are_cleared_for(engine: Engine) -> None:
    with session_factory(engine)() as session:
        cleared = view.compute(session, TODAY, [CRIME], clearance=3, judgements=Judgements())
        restricted = view.compute(session, TODAY, [CRIME], clearance=1, judgements=Judgements())
    assert "AZ-GA" in cleared.regions and "AZ-GA" not in restricted.regions
    assert cells(cleared)[CRIME].recent == cells(restricted)[CRIME].recent + 1


@pytest.mark.usefixtures("history")
def test_trends_list_every_week_and_the_judgement_holds_a_level_up(engine: Engine) -> None:
    judged = Judgements({"": {"threat-3-9": (5, 4)}, "AZ-BA": {CRIME: (4, 4)}})
    with session_factory(engine)() as session:
        found = view.compute(session, TODAY, list(watched()), 4, judged, weeks=10)
    weeks = found.trends[CLASH]
    assert len(weeks) == 10 and weeks[-1][0] == date(2026, 11, 16)
    assert sum(n for _, n, _ in weeks[-2:]) == 12
    assert cells(found)["threat-3-9"].level.level == 5
    baku = cells(found, "AZ-BA")[CRIME]
    assert baku.level.level == 4 and baku.level.from_data == 1
    # A region without its own assessment takes the national one.
    assert cells(found, "AZ-TOV")["threat-3-9"].level.from_judgement == 5
    payload = found.as_dict()
    assert payload["map"]["AZ-TOV"]["level"] >= 4


@pytest.fixture
def api(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.usefixtures("history")
def test_the_picture_api_needs_assessment_read_and_is_audited(
    api: TestClient, engine: Engine, settings: Settings
) -> None:
    analyst = make_person(engine, settings, "sss.analyst", "agency-sss", ["analyst"])
    reporter: Person = make_person(engine, settings, "police.rep", "agency-police", ["reporter"])
    assert api.get("/api/v1/picture").status_code == 401
    assert api.get("/api/v1/picture", headers=reporter.headers).status_code == 403
    bad = api.get("/api/v1/picture?date=2026-13-01", headers=analyst.headers)
    assert bad.status_code in (400, 422) and "date" in bad.text
    got = api.get(f"/api/v1/picture?date={TODAY}&weeks=8", headers=analyst.headers)
    assert got.status_code == 200
    body = got.json()
    national = {c["threat"]: c for c in body["national"]}
    assert national[CLASH]["recent"] == 12 and national[CLASH]["level"] >= 4
    assert len(body["trends"][CLASH]) == 8
    with engine.connect() as conn:
        actions = conn.scalars(select(AuditRow.action).where(AuditRow.actor_name == "sss.analyst"))
        assert "assessment.picture" in list(actions)
    assert api.get("/api/v1/picture", headers=analyst.headers).status_code == 200
    # The analysts' assessment in the register holds a threat's level up.
    assessed = {
        "threat": "threat-3-9",
        "region": "",
        "likelihood": 5,
        "impact": 4,
        "justification": "Intelligence of intent.",
        "classification": "restricted",
    }
    assert api.post("/api/v1/risks", json=assessed, headers=analyst.headers).status_code == 201
    body = api.get(f"/api/v1/picture?date={TODAY}", headers=analyst.headers).json()
    judged = {c["threat"]: c for c in body["national"]}["threat-3-9"]
    assert judged["level"] == 5 and judged["from_judgement"] == 5
    tovuz = {c["threat"]: c for c in body["regions"]["AZ-TOV"]}["threat-3-9"]
    assert tovuz["from_judgement"] == 5  # no assessment of its own: the national one
