"""The risk register in the core: versions, history, the current register and its matrix, the
national fallback, input checks per field, the policy and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.errors import Conflict, Forbidden, InvalidInput
from qalxan.picture import register
from qalxan.picture.tables import RiskRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import make_person

MIA, SBS = "agency-mia", "agency-sbs"
T1, T4, CYBER = "threat-3-1", "threat-3-4", "direction-4-3-11"


@dataclass
class Cast:
    analyst: Context
    low: Context
    neighbour: Context
    duty: Context


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    def ctx(name: str, agency: str, role: str, clearance: str = "secret") -> Context:
        person = make_person(engine, settings, name, agency, [role], clearance, with_key=False)
        return person.ctx(engine, settings)

    return Cast(
        analyst=ctx("analyst", MIA, "analyst"),
        low=ctx("low", MIA, "analyst", "restricted"),
        neighbour=ctx("neighbour", SBS, "analyst"),
        duty=ctx("duty", MIA, "duty_officer"),
    )


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))


def assess(ctx: Context, threat: str = T4, region: str = "", **changes: Any) -> RiskRow:
    values: dict[str, Any] = {
        "likelihood": 3,
        "impact": 4,
        "justification": "Two plots disrupted this quarter.",
        "classification": "restricted",
        "tlp": None,
    }
    values.update(changes)
    return register.assess(ctx, threat, region, **values)


def test_each_assessment_is_the_next_version_and_is_audited(cast: Cast, engine: Engine) -> None:
    first = assess(cast.analyst)
    second = assess(cast.analyst, likelihood=4, justification="  A third plot.  ")
    other = assess(cast.analyst, region="az-tov")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert (other.region, second.justification) == ("AZ-TOV", "A third plot.")
    assert (second.owner_agency, second.classification, second.assessed_by) == (MIA, 1, "analyst")
    entries = audits(engine, "assessment.create")
    assert [(e.outcome, e.record_id) for e in entries] == [
        ("success", first.id),
        ("success", second.id),
        ("success", other.id),
    ]
    assert entries[1].record_agency == MIA
    # What the assessment says is not in the trail: overseers may hold a lower clearance.
    assert entries[1].detail == {
        "threat": T4,
        "region": "",
        "version": 2,
        "classification": "restricted",
        "tlp": None,
    }


def test_history_is_newest_first_and_audited(cast: Cast, engine: Engine) -> None:
    made = [assess(cast.analyst, likelihood=n) for n in (1, 2, 3)]
    assess(cast.analyst, region="AZ-TOV")
    assess(cast.analyst, threat=T1)
    found = register.history(cast.analyst, T4)
    assert [r.version for r in found] == [3, 2, 1]
    assert [r.likelihood for r in found] == [3, 2, 1]
    (entry,) = audits(engine, "assessment.read")
    assert entry.outcome == "success"
    assert entry.detail["ids"] == [r.id for r in reversed(made)]
    assert [r.region for r in register.history(cast.analyst, T4, "AZ-TOV")] == ["AZ-TOV"]
    assert register.history(cast.analyst, CYBER) == []


def test_current_is_the_newest_version_per_threat(cast: Cast, engine: Engine) -> None:
    assess(cast.analyst, threat=CYBER, likelihood=2, impact=2)
    assess(cast.analyst, threat=T4, likelihood=1)
    newest = assess(cast.analyst, threat=T4, likelihood=5, impact=5)
    t1 = assess(cast.analyst, threat=T1, likelihood=4, impact=2)
    assess(cast.analyst, threat=T1, region="AZ-TOV", likelihood=1, impact=1)
    found = register.current(cast.analyst)
    assert list(found) == [T1, T4, CYBER]  # doctrine order
    assert found[T4].id == newest.id and found[T1].id == t1.id
    assert list(register.current(cast.analyst, "AZ-TOV")) == [T1]
    entry = audits(engine, "assessment.list")[0]
    assert entry.detail == {"region": "", "count": 3, "ids": [r.id for r in found.values()]}


def test_the_matrix_places_each_threat_in_its_cell(cast: Cast, engine: Engine) -> None:
    assess(cast.analyst, threat=T4, likelihood=5, impact=5)
    assess(cast.analyst, threat=T1, likelihood=4, impact=2)
    assess(cast.analyst, threat=CYBER, likelihood=4, impact=2)
    grid = register.matrix_of(register.current(cast.analyst))
    assert len(grid.cells) == 25
    assert grid.cells[0] == grid.cell(5, 1) and grid.cells[-1] == grid.cell(1, 5)
    assert grid.cell(5, 5).threats == (T4,) and grid.cell(5, 5).level == 5
    assert grid.cell(4, 2).threats == (T1, CYBER) and grid.cell(4, 2).score == 8
    assert sum(len(c.threats) for c in grid.cells) == 3
    assert grid.cell(1, 1).level == 1
    cells = grid.as_dict()["cells"]
    assert cells[0] == {"likelihood": 5, "impact": 1, "score": 5, "level": 2, "threats": []}
    assert len(audits(engine, "assessment.list")) == 1


def judged(engine: Engine, ctx: Context) -> register.Judgements:
    """The judgements the picture's levels take for the caller of ``ctx``."""
    with transaction(engine) as session:
        return register.every_region(session, ctx.principal)


def test_a_region_falls_back_to_the_national_assessment(cast: Cast, engine: Engine) -> None:
    assess(cast.analyst, threat=T4, likelihood=2, impact=2)
    assess(cast.analyst, threat=T1, likelihood=3, impact=3)
    assess(cast.analyst, threat=T4, region="AZ-TOV", likelihood=5, impact=4)
    found = judged(engine, cast.analyst)
    assert {t: found.of("AZ-TOV", t) for t in (T4, T1, CYBER)} == {
        T4: (5, 4),
        T1: (3, 3),
        CYBER: None,
    }
    assert found.of("", T4) == (2, 2)
    # A region never assessed is judged by the national register.
    assert {t: found.of("AZ-BA", t) for t in (T4, T1)} == {T4: (2, 2), T1: (3, 3)}
    # Callers who may not read assessments get no judgement from the picture's helper.
    assert judged(engine, cast.duty).by_region == {}


def test_bad_input_names_the_field(cast: Cast, engine: Engine) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"threat": "threat-9-9"}, "threat"),
        ({"threat": "direction-4-3-1"}, "threat"),
        ({"threat": ""}, "threat"),
        ({"region": "AZ-XXX"}, "region"),
        ({"region": "GE"}, "region"),
        ({"likelihood": 0}, "likelihood"),
        ({"likelihood": 6}, "likelihood"),
        ({"likelihood": True}, "likelihood"),
        ({"impact": -1}, "impact"),
        ({"impact": 2.5}, "impact"),
        ({"justification": "   "}, "justification"),
        ({"justification": "x" * (register.MAX_JUSTIFICATION + 1)}, "justification"),
        ({"classification": "cosmic"}, "classification"),
        ({"classification": "top_secret"}, "classification"),  # above the analyst's clearance
        ({"tlp": "PURPLE"}, "tlp"),
    ]
    for bad, field in cases:
        with pytest.raises(InvalidInput) as caught:
            assess(cast.analyst, **bad)
        assert caught.value.field == field, bad
        assert caught.value.message.startswith(f"{field}: "), caught.value.message
    assert {a.outcome for a in audits(engine, "assessment.create")} == {"invalid"}
    for call in (
        lambda: register.current(cast.analyst, "nowhere"),
        lambda: register.history(cast.analyst, T4, "nowhere"),
    ):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.field == "region"
    with pytest.raises(InvalidInput) as caught:
        register.history(cast.analyst, "threat-3-12")
    assert caught.value.field == "threat"
    with transaction(engine) as session:
        assert session.scalar(select(RiskRow.id)) is None


def test_roles_without_the_permission_are_refused(cast: Cast, engine: Engine) -> None:
    with pytest.raises(Forbidden):
        assess(cast.duty)
    with pytest.raises(Forbidden):
        register.current(cast.duty)
    with pytest.raises(Forbidden):
        register.history(cast.duty, T4)
    assert [a.outcome for a in audits(engine, "assessment.create")] == ["denied"]
    assert [a.outcome for a in audits(engine, "assessment.list")] == ["denied"]


def test_a_reader_sees_only_the_versions_within_clearance_and_reach(
    cast: Cast, engine: Engine
) -> None:
    first = assess(cast.analyst, likelihood=2, classification="restricted")
    secret = assess(cast.analyst, likelihood=5, classification="secret")
    assert register.current(cast.analyst)[T4].id == secret.id
    # Below the clearance: the newest version the reader may read, and no trace of the other.
    assert register.current(cast.low)[T4].id == first.id
    assert [r.id for r in register.history(cast.low, T4)] == [first.id]
    assert register.matrix_of(register.current(cast.low)).cell(2, 4).threats == (T4,)
    assert judged(engine, cast.low).of("", T4) == (2, 4)
    # Another agency's analysts see an unmarked assessment nowhere; a GREEN one reaches them.
    assert register.current(cast.neighbour) == {}
    assert register.history(cast.neighbour, T4) == []
    green = assess(cast.analyst, threat=T1, tlp="green")
    assert green.tlp == "GREEN"
    assert list(register.current(cast.neighbour)) == [T1]


def test_concurrent_assessments_the_second_gets_a_conflict(
    cast: Cast, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assess(cast.analyst)
    # As if another analyst's version 2 committed after this one read the newest version.
    monkeypatch.setattr(register, "_next_version", lambda *_: 1)
    with pytest.raises(Conflict) as caught:
        assess(cast.analyst, likelihood=5)
    assert caught.value.field == "version"
    assert [a.outcome for a in audits(engine, "assessment.create")] == ["success", "invalid"]
    assert [r.likelihood for r in register.history(cast.analyst, T4)] == [3]


def test_the_database_refuses_to_change_or_delete_an_assessment(cast: Cast, engine: Engine) -> None:
    row = assess(cast.analyst)
    statements = (
        "UPDATE picture_risks SET likelihood = 1 WHERE id = :id",
        "DELETE FROM picture_risks WHERE id = :id",
    )
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement), {"id": row.id})
    (kept,) = register.history(cast.analyst, T4)
    assert (kept.id, kept.likelihood) == (row.id, 3)
