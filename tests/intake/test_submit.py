"""Submitting reports: checked, typed, joined into incidents, graded, routed, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from qalxan.access.tables import AuditRow, ShareRow
from qalxan.errors import InvalidInput
from qalxan.intake import incidents
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.draft import Draft, InvolvedObject
from qalxan.intake.submit import submit
from qalxan.intake.tables import IncidentRow, MembershipRow, ReportRow, RoutingRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.people import Person, load_bundled, make_person

NOW = datetime.now(UTC).replace(microsecond=0)
BAKU = (40.4093, 49.8671)


@pytest.fixture
def police(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "police", "agency-police", ["duty_officer"])


@pytest.fixture
def mes(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "mes", "agency-mes", ["duty_officer"])


def _submit(engine: Engine, settings: Settings, who: Person, draft: Draft):  # type: ignore[no-untyped-def]
    return submit(who.ctx(engine, settings), load_bundled(), RuleClassifier(), draft)


def test_a_report_starts_an_incident_that_is_graded_and_routed(
    engine: Engine, settings: Settings, police: Person
) -> None:
    stored = _submit(
        engine,
        settings,
        police,
        Draft(
            "An explosive device detonated near the metro station; two people were killed.",
            NOW - timedelta(hours=1),
            event_type="terrorist-attack",
            lat=BAKU[0],
            lon=BAKU[1],
            killed=2,
            objects=(InvolvedObject("infrastructure", "metro station", "M-12"),),
        ),
    )
    assert not stored.joined
    with session_factory(engine)() as session:
        incident = session.get(IncidentRow, stored.incident_id)
        assert incident is not None
        assert incident.severity == 5  # terrorism base 4, plus deaths
        routes = {r.agency_id: r.role for r in session.scalars(select(RoutingRow))}
        assert routes["agency-sss"] == "lead"  # 3.4: the State Security Service leads
        assert routes["agency-police"] == "supporting"  # and the reporter supports
        shared = set(
            session.scalars(
                select(ShareRow.agency_id).where(ShareRow.record_id == stored.incident_id)
            )
        )
        assert "agency-sss" in shared
        audited = session.scalar(
            select(AuditRow).where(AuditRow.action == "report.create").order_by(AuditRow.seq.desc())
        )
        assert audited is not None
        assert audited.record_id == stored.report_id
        assert audited.detail["incident"] == stored.incident_id


def test_reports_of_one_event_from_two_agencies_join_one_incident(
    engine: Engine, settings: Settings, police: Person, mes: Person
) -> None:
    first = _submit(
        engine,
        settings,
        police,
        Draft(
            "Flooding in the village after heavy rain, houses under water, residents evacuated",
            NOW - timedelta(hours=3),
            event_type="flood",
            lat=40.80,
            lon=47.72,
        ),
    )
    second = _submit(
        engine,
        settings,
        mes,
        Draft(
            "Heavy rain caused flooding; houses under water and residents of the village evacuated",
            NOW - timedelta(hours=2),
            event_type="flood",
            lat=40.81,
            lon=47.73,
        ),
    )
    elsewhere = _submit(
        engine,
        settings,
        mes,
        Draft(
            "Flooding after heavy rain",
            NOW - timedelta(hours=2),
            event_type="flood",
            lat=38.75,
            lon=48.85,
        ),
    )
    assert second.joined and second.incident_id == first.incident_id
    assert second.reason["score"] >= second.reason["threshold"]
    assert "km apart" in second.reason["place"]
    assert not elsewhere.joined
    with session_factory(engine)() as session:
        incident = session.get(IncidentRow, first.incident_id)
        assert incident is not None and incident.report_count == 2
        assert session.scalar(select(func.count()).select_from(ReportRow)) == 3
        assert session.scalar(select(func.count()).select_from(MembershipRow)) == 3


def test_a_peaceful_protest_is_a_public_event_routed_to_no_security_agency(
    engine: Engine, settings: Settings, police: Person
) -> None:
    stored = _submit(
        engine,
        settings,
        police,
        Draft(
            "About 200 people held a peaceful rally in the park.",
            NOW,
            event_type="peaceful-protest",
        ),
    )
    detail = incidents.get(police.ctx(engine, settings), stored.incident_id)
    out = incidents.detail_out(detail)
    assert out["public_event"] is True
    assert out["threats"] == []
    assert "not a threat" in out["public_event_note"]
    assert out["severity"] == 1
    assert [r["agency_id"] for r in out["routing"]] == ["agency-police"]


def test_sending_the_same_report_again_stores_it_once(
    engine: Engine, settings: Settings, police: Person
) -> None:
    draft = Draft(
        "Smuggled cigarettes seized at the crossing",
        NOW,
        event_type="smuggling",
        origin_ref="police-2026-0001",
    )
    first = _submit(engine, settings, police, draft)
    again = _submit(engine, settings, police, draft)
    assert again.repeated and again.report_id == first.report_id
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ReportRow)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"event_type": "alien-invasion"}, "event_type"),
        ({"lat": 91.0, "lon": 10.0}, "lat"),
        ({"lat": 40.0}, "lon"),
        ({"observed_at": NOW + timedelta(days=2)}, "observed_at"),
        ({"reported_at": NOW - timedelta(days=3)}, "reported_at"),
        ({"source_reliability": "G"}, "source_reliability"),
        ({"info_credibility": 7}, "info_credibility"),
        ({"killed": -1}, "killed"),
        ({"tlp": "PURPLE"}, "tlp"),
        ({"classification": "cosmic"}, "classification"),
        ({"narrative": "   "}, "narrative"),
        (
            {"objects": (InvolvedObject("infrastructure", "pipe", infrastructure_id="infra-x"),)},
            "objects[0].infrastructure_id",
        ),
        ({"objects": (InvolvedObject("spaceship", "ufo"),)}, "objects[0].kind"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    engine: Engine, settings: Settings, police: Person, changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"narrative": "A report", "observed_at": NOW - timedelta(days=1)}
    values.update(changes)
    with pytest.raises(InvalidInput) as error:
        _submit(engine, settings, police, Draft(**values))  # type: ignore[arg-type]
    assert error.value.field == field
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ReportRow)) == 0
        assert session.scalar(select(func.count()).select_from(IncidentRow)) == 0
