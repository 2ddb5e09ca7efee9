"""Indicators and warnings: the analysts' indicator sets as data, checked on load; evaluated
over incidents stored through the real intake (placed near the pipeline routes, in the border
zone, in districts), up to the reader's clearance; triggered ones stored once as warnings,
shared with the agencies responsible for their threat."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from qalxan.access.tables import AuditRow, ShareRow
from qalxan.errors import Forbidden, InvalidInput
from qalxan.intake import curation, dedup
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.draft import Draft
from qalxan.intake.store import Stored
from qalxan.intake.submit import submit
from qalxan.intake.tables import FeedRow
from qalxan.picture import indicator_readings, indicators, series, warning_review, warnings
from qalxan.picture.indicator_readings import Reading
from qalxan.picture.tables import WarningRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.people import Person, load_bundled, make_person, operator

# A Friday of last week: every day of its window (the ISO week from WEEK) is past.
WEEK = series.period_start(datetime.now(UTC).date(), "week") - timedelta(days=7)
TODAY = WEEK + timedelta(days=4)
# On the Baku-Tbilisi-Ceyhan route (Ujar), on the South Caucasus Gas Pipeline (Yevlakh), 30 km
# south of the BTC route (Zardab), 2 km from another pipeline only (Kazi Magomed-Astara).
ON_BTC = (40.48859, 47.69928)
ON_SCP = (40.77599, 47.28581)
FAR = (40.20, 47.70)
OTHER_PIPELINE = (39.30, 48.69)
# In the border zone (Agstafa, Tovuz), and in Ganja, far from any border.
AGSTAFA = (41.05, 45.45)
TOVUZ = (40.95, 45.60)
GANJA = (40.68, 46.36)
PIPELINE = "pipeline-proximity"
CEASEFIRE = "border-ceasefire-violations"
SEIZURES = "border-seizures"
CROSSINGS = "illegal-crossings"
# Every report its own incident: the counts are what the test says.
APART = dedup.Rules(window_hours=0.01)
TOP = 4  # top secret: every incident counted
RESTRICTED = 1


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


@pytest.fixture
def reporter(engine: Engine, settings: Settings) -> Person:
    return make_person(
        engine, settings, "reporter", "agency-police", ["duty_officer"], "top_secret"
    )


def report(
    engine: Engine,
    settings: Settings,
    who: Person,
    when: datetime,
    kind: str,
    point: tuple[float, float] | None = None,
    **fields: Any,
) -> Stored:
    if point is not None:
        fields.update(lat=point[0], lon=point[1])
    draft = Draft(f"{kind} reported, case {when.isoformat()}", when, event_type=kind, **fields)
    return submit(who.ctx(engine, settings), load_bundled(), RuleClassifier(), draft, APART)


def readings(
    engine: Engine, indicator: str, clearance: int = TOP, day: date = TODAY
) -> list[Reading]:
    with session_factory(engine)() as session:
        found = indicator_readings.evaluate(session, clearance, day)
    return [r for r in found if r.indicator.id == indicator]


def one(engine: Engine, indicator: str, clearance: int = TOP) -> Reading:
    (found,) = readings(engine, indicator, clearance)
    return found


# -- the indicators as data --------------------------------------------------------------------
def test_the_bundled_indicators() -> None:
    found = {i.id: i for i in indicators.load()}
    pipeline = found[PIPELINE]
    assert pipeline.threat == "threat-3-6" and pipeline.at_least == 1
    assert pipeline.select.pipeline_within_km == 5
    assert set(pipeline.select.pipelines) == {"P0644", "P0759"}
    assert "energy-infrastructure-attack" in pipeline.select.types()
    ceasefire = found[CEASEFIRE]
    assert ceasefire.threat == "threat-3-1" and ceasefire.select.border_zone is True
    assert ceasefire.select.types() == {"ceasefire-violation"}
    seizures = found[SEIZURES]
    assert seizures.threat == "threat-3-5" and seizures.per == "region"
    assert seizures.above_norm is not None and seizures.select.border_zone is True
    assert seizures.select.types() == {"drug-trafficking", "arms-trafficking", "smuggling"}
    assert all(i.name.en and i.name.az and i.name.ru for i in found.values())
    # Windows of 7 days are ISO weeks.
    assert indicator_readings.window_start(TODAY, 7) == WEEK


GOOD: dict[str, Any] = {
    "id": "near-pipes",
    "threat": "threat-3-6",
    "name": {"en": "Near", "az": "Yaxın", "ru": "Рядом"},
    "select": {"event_types": ["grenade"], "pipeline_within_km": 5, "pipelines": ["P0644"]},
    "window_days": 7,
    "at_least": 1,
}


@pytest.mark.parametrize(
    ("change", "field", "where"),
    [
        ({"threat": "threat-9-9"}, "threat", "indicators[1].threat"),
        ({"select": {"event_types": ["picnic"]}}, "event_types", "select.event_types"),
        ({"select": {"categories": ["parties"]}}, "categories", "select.categories"),
        ({"select": {"pipeline_within_km": 5, "pipelines": ["P9999"]}}, "pipelines", "P9999"),
        ({"select": {"pipelines": ["P0644"]}}, "pipelines", "pipeline_within_km"),
        ({"select": {"pipeline_within_km": 500}}, "pipeline_within_km", "select"),
        ({"select": {"regions": ["AZ-XYZ"]}}, "regions", "AZ-XYZ"),
        ({"select": {"border": True}}, "border", "indicators[1].select.border"),
        ({"window_days": 0}, "window_days", "indicators[1].window_days"),
        ({"per": "district"}, "per", "indicators[1].per"),
        ({"at_least": None}, "at_least", "either at_least or above_norm"),
        ({"above_norm": {"alpha": 0.01}}, "at_least", "either at_least or above_norm"),
        ({"at_least": None, "above_norm": {"alpha": 2}}, "alpha", "above_norm.alpha"),
        ({"at_least": None, "above_norm": {"alpha": 0.1, "windows": 3}}, "minimum", "minimum"),
        ({"name": {"en": "Near"}}, "az", "indicators[1].name.az"),
        ({"id": "Near Pipes"}, "id", "indicators[1].id"),
    ],
)
def test_bad_indicators_are_refused_naming_the_field(
    tmp_path: Path, change: dict[str, Any], field: str, where: str
) -> None:
    item = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump({"indicators": [item]}), encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        indicators.load(path)
    assert refused.value.field == field
    assert where in refused.value.message and refused.value.message.startswith("indicators.yaml")


def test_bad_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    for text, field in [
        ("indicators: [", "indicators"),
        ("indicators: 3", "indicators"),
        ("rules: []", "indicators"),
        (yaml.safe_dump({"indicators": [GOOD, GOOD]}), "id"),
    ]:
        path.write_text(text, encoding="utf-8")
        indicators.load.cache_clear()
        with pytest.raises(InvalidInput) as refused:
            indicators.load(path)
        assert refused.value.field == field, text
    path.write_text(yaml.safe_dump({"indicators": [GOOD]}), encoding="utf-8")
    indicators.load.cache_clear()
    assert [i.id for i in indicators.load(path)] == ["near-pipes"]


# -- evaluation --------------------------------------------------------------------------------
def test_incidents_near_the_btc_or_scp_route_trigger_the_pipeline_indicator(
    engine: Engine, settings: Settings, reporter: Person
) -> None:
    assert not one(engine, PIPELINE).triggered  # nothing yet
    day = WEEK + timedelta(days=1)
    report(engine, settings, reporter, at(day, 9), "energy-infrastructure-attack", FAR)
    report(engine, settings, reporter, at(day, 10), "remote-explosive", OTHER_PIPELINE)
    # Near the route, but not a type the indicator watches; near it, but in the week before.
    report(engine, settings, reporter, at(day, 11), "smuggling", ON_BTC)
    report(engine, settings, reporter, at(WEEK - timedelta(days=1), 11), "remote-explosive", ON_BTC)
    quiet = one(engine, PIPELINE)
    assert quiet.count == 0 and not quiet.triggered
    assert "below the threshold of 1" in quiet.why

    report(engine, settings, reporter, at(day, 12), "energy-infrastructure-attack", ON_BTC)
    near = one(engine, PIPELINE)
    assert near.count == 1 and near.triggered and near.region == ""
    assert near.start == WEEK and near.last == TODAY
    assert f"1 incident from {WEEK} to {TODAY}, at or above the threshold of 1" in near.why
    assert near.incidents_url is None  # the queue cannot filter by distance to a pipeline
    report(engine, settings, reporter, at(day, 13), "armed-clash", ON_SCP)
    assert one(engine, PIPELINE).count == 2
    # The week after: a new window, with nothing in it.
    assert readings(engine, PIPELINE, day=TODAY + timedelta(days=7))[0].count == 0


def test_ceasefire_violations_in_the_border_zone(
    engine: Engine, settings: Settings, reporter: Person
) -> None:
    day = WEEK + timedelta(days=2)
    kind = "ceasefire-violation"
    first = report(engine, settings, reporter, at(day, 6), kind, AGSTAFA)
    # Away from the border, or placed by district only (which says nothing of the border).
    report(engine, settings, reporter, at(day, 7), kind, GANJA)
    report(engine, settings, reporter, at(day, 8), kind, admin1="AZ-TOV")
    below = one(engine, CEASEFIRE)
    assert below.count == 1 and not below.triggered
    second = report(engine, settings, reporter, at(day, 9), kind, TOVUZ)
    found = one(engine, CEASEFIRE)
    assert found.count == 2 and found.triggered
    assert "at or above the threshold of 2" in found.why
    # The same violation, reported twice: merged, it counts once.
    curation.merge(reporter.ctx(engine, settings), first.incident_id, second.incident_id, "same")
    assert one(engine, CEASEFIRE).count == 1


def test_seizures_above_their_districts_norm(
    engine: Engine, settings: Settings, reporter: Person
) -> None:
    for week in range(8, 0, -1):
        monday = WEEK - timedelta(days=7 * week)
        report(engine, settings, reporter, at(monday, 10), "smuggling", AGSTAFA)
        report(engine, settings, reporter, at(monday, 11), "drug-trafficking", TOVUZ)
    kinds = ["smuggling", "drug-trafficking", "arms-trafficking"]
    for n in range(6):
        report(
            engine,
            settings,
            reporter,
            at(WEEK + timedelta(days=n % 4), 8 + n),
            kinds[n % 3],
            AGSTAFA,
        )
    report(engine, settings, reporter, at(WEEK, 9), "smuggling", TOVUZ)
    # Seizures placed by district only are not known to be at the border.
    for hour in (6, 7, 8):
        report(
            engine,
            settings,
            reporter,
            at(WEEK + timedelta(days=1), hour),
            "smuggling",
            admin1="AZ-TOV",
        )

    by_region = {r.region: r for r in readings(engine, SEIZURES)}
    assert set(by_region) == {"AZ-AGA", "AZ-TOV"}
    agstafa, tovuz = by_region["AZ-AGA"], by_region["AZ-TOV"]
    assert agstafa.count == 6 and agstafa.triggered
    assert agstafa.norm is not None and agstafa.norm.mean == pytest.approx(8.5 / 8)
    assert agstafa.probability is not None and agstafa.probability < 0.01
    assert (
        "6 incidents" in agstafa.why
        and "1.1 expected (the 8 windows of 7 days before)" in agstafa.why
    )
    assert agstafa.why.endswith("above the norm")
    assert tovuz.count == 1 and not tovuz.triggered
    assert "fewer than the 3 needed to warn" in tovuz.why

    # Five weeks earlier the picture had only two weeks behind it: no norm to compare with.
    early = readings(engine, SEIZURES, day=TODAY - timedelta(days=42))
    assert {r.region for r in early} == {"AZ-AGA", "AZ-TOV"}
    assert all(not r.triggered and "no norm yet: 2 earlier windows" in r.why for r in early)


def test_a_selection_the_queue_can_filter_links_to_its_incidents(
    engine: Engine, settings: Settings, reporter: Person
) -> None:
    (none,) = readings(engine, CROSSINGS)
    assert none.region == "" and none.count == 0 and not none.triggered
    report(engine, settings, reporter, at(WEEK, 9), "illegal-border-crossing", admin1="AZ-AGA")
    (crossing,) = readings(engine, CROSSINGS)
    assert crossing.region == "AZ-AGA" and crossing.count == 1
    assert crossing.incidents_url == (
        f"/incidents?event_type=illegal-border-crossing&since={WEEK}&until={TODAY}&admin1=AZ-AGA"
    )


def test_only_incidents_up_to_the_readers_clearance_count(
    engine: Engine, settings: Settings, reporter: Person
) -> None:
    day = WEEK + timedelta(days=1)
    report(engine, settings, reporter, at(day, 6), "ceasefire-violation", AGSTAFA)
    report(
        engine,
        settings,
        reporter,
        at(day, 7),
        "ceasefire-violation",
        TOVUZ,
        classification="secret",
    )
    assert one(engine, CEASEFIRE).triggered
    low = one(engine, CEASEFIRE, RESTRICTED)
    assert low.count == 1 and not low.triggered

    cleared = make_person(engine, settings, "sss", "agency-sss", ["analyst"], "secret")
    lower = make_person(engine, settings, "sss-low", "agency-sss", ["analyst"], "restricted")
    seen = indicator_readings.current(cleared.ctx(engine, settings), TODAY)
    assert next(r for r in seen if r.indicator.id == CEASEFIRE).count == 2
    seen = indicator_readings.current(lower.ctx(engine, settings), TODAY)
    assert next(r for r in seen if r.indicator.id == CEASEFIRE).count == 1
    with pytest.raises(Forbidden):  # a duty officer reads no assessments
        indicator_readings.current(reporter.ctx(engine, settings), TODAY)
    with session_factory(engine)() as session:
        audited = session.scalars(
            select(AuditRow.outcome).where(AuditRow.action == "assessment.indicators")
        ).all()
    assert sorted(audited) == ["denied", "success", "success"]


# -- warnings ----------------------------------------------------------------------------------
def test_a_triggered_indicator_warns_once_shared_with_the_responsible_agencies(
    engine: Engine, settings: Settings, reporter: Person
) -> None:
    doctrine = load_bundled()
    owner = settings.operator_agency
    day = WEEK + timedelta(days=1)
    report(
        engine,
        settings,
        reporter,
        at(day, 12),
        "energy-infrastructure-attack",
        ON_BTC,
        classification="confidential",
    )
    raised = warnings.scan(engine, TODAY, doctrine, owner)
    (pipeline,) = [w for w in raised if w.source == f"indicator:{PIPELINE}"]
    assert (pipeline.threat, pipeline.region, pipeline.scale) == ("threat-3-6", "", "7d")
    assert pipeline.period_start == WEEK and pipeline.rule == PIPELINE
    assert pipeline.method == "at_least" and pipeline.observed == 1
    assert pipeline.classification == 2  # its confidential incident
    assert pipeline.explanation.startswith(
        "Incidents within 5 km of the BTC or South Caucasus pipeline routes (3.6 "
    )
    assert "nationally: 1 incident from" in pipeline.explanation

    # Again; as the platform runs it; in the next week (the window before is looked at too).
    assert warnings.scan(engine, TODAY, doctrine, owner) == []
    assert warnings.run(operator(engine, settings), doctrine, TODAY) == []
    assert warnings.scan(engine, TODAY + timedelta(days=7), doctrine, owner) == []
    with session_factory(engine)() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(WarningRow)
            .where(WarningRow.source == f"indicator:{PIPELINE}")
        )
        shares = session.scalars(
            select(ShareRow).where(ShareRow.record_id == pipeline.id, ShareRow.revoked_at.is_(None))
        ).all()
        feed = session.scalars(
            select(FeedRow).where(
                FeedRow.kind == "warning.raised", FeedRow.record_id == pipeline.id
            )
        ).all()
    assert stored == 1
    routed = {s.agency_id: s.reason for s in shares}
    assert routed["agency-sapso"].startswith("lead agency for 3.6")
    assert set(routed) == {a for a, _ in warnings.responsible(doctrine, "threat-3-6")} - {owner}
    (item,) = feed
    assert item.summary["source"] == f"indicator:{PIPELINE}" and item.summary["observed"] == 1

    # The lead agency's analysts read it; an agency not responsible for 3.6 does not.
    lead = make_person(engine, settings, "sapso", "agency-sapso", ["analyst"], "secret")
    other = make_person(engine, settings, "mia", "agency-mia", ["analyst"], "secret")
    assert pipeline.id in {w.id for w in warning_review.listing(lead.ctx(engine, settings)).rows}
    assert pipeline.id not in {
        w.id for w in warning_review.listing(other.ctx(engine, settings)).rows
    }
    assert warning_review.out(pipeline)["source"] == f"indicator:{PIPELINE}"


def test_indicator_and_count_warnings_of_one_period_are_kept_apart(
    engine: Engine, settings: Settings, reporter: Person
) -> None:
    doctrine = load_bundled()
    for week in range(8, 0, -1):
        report(
            engine,
            settings,
            reporter,
            at(WEEK - timedelta(days=7 * week), 10),
            "smuggling",
            AGSTAFA,
        )
    for n in range(8):
        report(
            engine,
            settings,
            reporter,
            at(WEEK + timedelta(days=n % 5), 8 + n),
            "smuggling",
            AGSTAFA,
        )
    # As of the Monday after the surge's week: the count series warns of the complete week,
    # the indicator of the window before the current one.
    raised = warnings.scan(engine, WEEK + timedelta(days=7), doctrine, settings.operator_agency)
    agstafa = {w.source: w for w in raised if w.region == "AZ-AGA"}
    assert set(agstafa) == {"counts", f"indicator:{SEIZURES}"}
    assert {w.period_start for w in agstafa.values()} == {WEEK}
    assert {w.scale for w in agstafa.values()} == {"week", "7d"}
    indicated = agstafa[f"indicator:{SEIZURES}"]
    assert indicated.method == "above_norm" and indicated.observed == 8
    assert "above the norm" in indicated.explanation
