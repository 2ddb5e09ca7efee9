"""The screening service on a small synthetic national list: import, screen, suppress a false
match, search, and delta screening after a new version."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.errors import Forbidden, InvalidInput
from qalxan.screening import hits, lists, service, thresholds, versions
from qalxan.screening.holder import IndexHolder
from qalxan.screening.query import Query
from qalxan.screening.tables import HitRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import make_person

HEADER = "id,name,birth_date,nationality\n"
V1 = [
    "AZ-1,Aram Synthetic,1970-01-01,am",
    "AZ-2,Bora Example,1965-03-03,tr",
    "AZ-3,Leyla Quliyeva,1980-05-05,az",
    "AZ-4,Orkhan Testov,1990,az",
]
# Version 2: AZ-2 changed (birth date), AZ-5 added, the others as they were.
V2 = [V1[0], "AZ-2,Bora Example,1966-03-03,tr", V1[2], V1[3], "AZ-5,Kamal Rustamov,1975,az"]
ARAM = Query("pnr-1", ("Aram Synthetic",), birth_dates=("1970-01-01",))
BORA = Query("pnr-2", ("Bora Example",))
KAMAL = Query("pnr-3", ("Kamal Rustamov",))


@pytest.fixture
def officer(engine: Engine, settings: Settings) -> Context:
    person = make_person(engine, settings, "border", "agency-sbs", ["screening_officer"])
    ctx = person.ctx(engine, settings)
    spec = lists.ListSpec("az-test", "Test list", "Test authority", "Test law", ("border",))
    lists.declare(ctx, spec)
    return ctx


def write_list(folder: Path, rows: list[str], name: str = "national.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + "\n".join(rows) + "\n", "utf-8")
    return path


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))


def hits_of(engine: Engine, subject_id: str) -> list[HitRow]:
    with transaction(engine) as session:
        query = select(HitRow).where(HitRow.subject_id == subject_id).order_by(HitRow.created_at)
        return list(session.scalars(query))


def test_screen_records_hits_and_a_false_match_stands(
    officer: Context, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = write_list(tmp_path, V1)
    first = service.import_list(officer, path, "csv", "az-test")
    assert (first.version.number, first.version.added, first.unchanged) == (1, 4, False)
    assert first.version.source_sha256 == service.source_sha256(path)
    holder = IndexHolder(engine, settings, refresh_seconds=0)

    screening = service.screen(officer, holder, ARAM, "border")
    best = screening.results[0]
    assert (best.match.source_id, best.alert, best.status) == ("AZ-1", True, "open")
    assert screening.threshold == thresholds.threshold(settings, "border") == 0.724
    assert screening.content_version == versions.content_version(engine)
    assert all(not r.alert for r in screening.results[1:])
    [queued] = hits.review_queue(officer).rows
    assert queued.hit.id == best.hit_id and queued.hit.entity_id == "az-test-az-1"

    hits.decide(officer, queued.hit.id, "false_match", "Another Aram: different father's name")
    again = service.screen(officer, holder, ARAM, "border")
    assert (again.results[0].alert, again.results[0].status) == (True, "suppressed")
    assert hits.review_queue(officer).rows == []
    # A threshold of one's own, and a use the list does not serve (nothing to screen against).
    misspelt = Query("pnr-9", ("Bora Exampel",))
    assert service.screen(officer, holder, misspelt, "border").alerts
    assert service.screen(officer, holder, misspelt, "border", threshold=0.99).alerts == []
    assert service.screen(officer, holder, ARAM, "fiu").results == []
    with pytest.raises(InvalidInput, match="use: 'harbour'"):
        service.screen(officer, holder, ARAM, "harbour")
    assert [a.outcome for a in audits(engine, "screening.create")][-1] == "invalid"

    found = service.search(officer, holder, "aram sintetik")
    assert found[0].source_id == "AZ-1"
    [searched] = audits(engine, "screening.search")
    assert searched.detail["results"][0] == "az-test-az-1"
    assert "aram" not in str(searched.detail).lower()  # a hash of the name, not the name


def test_a_new_version_rescreens_subjects_against_what_changed(
    officer: Context, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    service.import_list(officer, write_list(tmp_path, V1), "csv", "az-test")
    holder = IndexHolder(engine, settings, refresh_seconds=3600)
    aram = service.screen(officer, holder, ARAM, "border")
    bora = service.screen(officer, holder, BORA, "border")
    kamal = service.screen(officer, holder, KAMAL, "border")
    assert kamal.alerts == []
    hits.decide(officer, bora.alerts[0].hit_id or "", "false_match", "Another Bora")
    built_from = holder.version

    v2 = write_list(tmp_path, V2, "national-2.csv")
    outcome = service.import_list(officer, v2, "csv", "az-test", holder=holder, rescreen=True)
    assert (outcome.version.number, outcome.version.added, outcome.version.changed) == (2, 1, 1)
    assert outcome.rescreened == service.RescreenOutcome(
        subjects=3, entries=2, opened=2, suppressed=0
    )
    # The holder was refreshed for the delta screening, whatever its refresh interval.
    assert built_from != holder.version == versions.content_version(engine)

    # Kamal was added: a new open hit. Bora's entry changed: the false match no longer
    # stands. Aram's entry did not change: no new hit.
    [kamal_hit] = hits_of(engine, kamal.subject_id)
    assert (kamal_hit.entity_id, kamal_hit.status) == ("az-test-az-5", "open")
    assert [(h.entity_id, h.status) for h in hits_of(engine, bora.subject_id)] == [
        ("az-test-az-2", "false_match"),
        ("az-test-az-2", "open"),
    ]
    assert len(hits_of(engine, aram.subject_id)) == 1
    rescreened = [a for a in audits(engine, "screening.create") if "rescreen" in a.actor_name]
    assert len(rescreened) == 3
    assert {a.actor_agency for a in rescreened} == {"agency-sbs"}
    assert rescreened[0].actor_name == "system:rescreen:border"
    [summary] = audits(engine, "screening.rescreen")
    assert summary.detail == {
        "versions": [outcome.version.id],
        "subjects": 3,
        "entries": 2,
        "opened": 2,
        "suppressed": 0,
    }

    # Nothing is screened twice, and the same file again changes nothing.
    assert service.rescreen(officer, holder, [outcome.version]) == service.RescreenOutcome(
        entries=2
    )
    again = service.import_list(officer, v2, "csv", "az-test", holder=holder, rescreen=True)
    assert again.unchanged and again.rescreened is None


def test_a_holder_keeps_its_matcher_until_due(
    officer: Context, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    holder = IndexHolder(engine, settings, refresh_seconds=3600)
    assert holder.matcher().match(KAMAL) == []  # an empty index: nothing imported yet
    empty = holder.version
    service.import_list(officer, write_list(tmp_path, V2), "csv", "az-test")
    assert holder.version == empty and holder.matcher().match(KAMAL) == []
    assert holder.refresh().version != empty
    assert holder.matcher().match(KAMAL)[0].source_id == "AZ-5"
    # A caller without screening:create may neither screen nor import.
    reporter = make_person(engine, settings, "reporter", "agency-sbs", ["reporter"])
    with pytest.raises(Forbidden):
        service.screen(reporter.ctx(engine, settings), holder, KAMAL, "border")
    assert audits(engine, "screening.create")[-1].outcome == "denied"
    with pytest.raises(InvalidInput, match="list: name the list"):
        service.import_list(officer, tmp_path / "national.csv", "csv")
