"""Bulk import: every row once, however often and however interrupted; bad lines named."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.bootstrap import operator_principal, trail
from qalxan.intake import bulk, escalation, sources, store
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.tables import (
    IncidentEventRow,
    IncidentRow,
    MembershipRow,
    ReportRow,
    RoutingRow,
)
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.people import load_bundled

DAY = datetime(2026, 10, 1, tzinfo=UTC)


def importer(engine: Engine, settings: Settings, agency: str = "agency-police") -> Context:
    principal = replace(
        operator_principal(settings, "cli:test"), roles=("duty_officer",), agency_id=agency
    )
    return Context(principal, trail(settings, engine))


def write_jsonl(path: Path, count: int, start: int = 0) -> Path:
    lines = []
    for n in range(start, start + count):
        lines.append(
            {
                "id": f"r-{n}",
                "text": f"Customs officers seized {n + 1} boxes of smuggled cigarettes at the "
                f"Samur crossing, report {n}.",
                "date": (DAY + timedelta(days=n)).date().isoformat(),
                "lat": 41.83 + n * 0.3,
                "lon": 48.52,
            }
        )
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def reports(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(ReportRow)) or 0


def test_importing_twice_or_after_a_crash_stores_every_row_once(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jsonl(tmp_path / "reports.jsonl", 12)
    ctx = importer(engine, settings)
    monkeypatch.setattr(bulk, "CHUNK", 5)
    # Killed while storing the third chunk: the first two are committed, the third is not.
    real_store = bulk._store
    calls = {"n": 0}

    def crashing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_store(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_store", crashing)
    with pytest.raises(KeyboardInterrupt):
        bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="import:t")
    assert reports(engine) == 10
    monkeypatch.setattr(bulk, "_store", real_store)
    again = bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="import:t")
    assert (again.stored, again.repeated) == (2, 10)
    third = bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="import:t")
    assert (third.stored, third.repeated) == (0, 12)
    assert reports(engine) == 12
    with session_factory(engine)() as session:
        typed = set(session.scalars(select(ReportRow.event_type)))
        audits = session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "report.import")
        )
    assert typed == {"smuggling"}
    assert audits == 2 + 3 + 3  # one per committed chunk; the interrupted one left none


def test_a_bad_line_is_named_and_nothing_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"id": "1", "text": "ok", "date": "2026-10-01"})
        + "\n"
        + json.dumps({"id": "2", "text": "bad place", "date": "2026-10-01", "lat": 123, "lon": 1})
        + "\n"
        + "{not json\n",
        encoding="utf-8",
    )
    problems = bulk.validate(sources.read(path))
    assert problems[0].startswith("line 2: lat:")
    assert problems[1].startswith("line 3: not JSON")


@pytest.mark.parametrize("workers", [0, 1])
@pytest.mark.parametrize("bad_line", [3, 40])
def test_a_file_checked_during_the_import_is_refused_whole_before_anything_is_stored(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
    bad_line: int,
) -> None:
    path = write_jsonl(tmp_path / "reports.jsonl", 50)
    lines = path.read_text(encoding="utf-8").splitlines()
    # A bad line in the first chunk (the pipeline meets it) or far beyond it (only the check
    # does), and an unreadable one at the end.
    lines[bad_line - 1] = json.dumps(json.loads(lines[bad_line - 1]) | {"lat": 123})
    lines.append("{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(bulk, "CHUNK", 10)
    checks = []

    def check() -> list[str]:
        checks.append(reports(engine))  # what was stored when the check ran
        return bulk.validate(sources.read(path))

    with pytest.raises(bulk.BadLines) as refused:
        bulk.run(
            importer(engine, settings),
            load_bundled(),
            RuleClassifier(),
            sources.read(path),
            origin="import:t",
            workers=workers,
            check=check,
        )
    assert refused.value.problems[0].startswith(f"line {bad_line}: lat:")
    assert refused.value.problems[1].startswith("line 51: not JSON")
    assert checks == [0]
    assert reports(engine) == 0


def test_a_file_that_passes_the_check_is_stored_whole(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "reports.jsonl", 12)
    checks = []

    def check() -> list[str]:
        checks.append(reports(engine))
        return bulk.validate(sources.read(path))

    outcome = bulk.run(
        importer(engine, settings),
        load_bundled(),
        RuleClassifier(),
        sources.read(path),
        origin="import:t",
        workers=1,
        check=check,
    )
    assert checks == [0]
    assert outcome.stored == reports(engine) == 12
    assert sources.count(path) == 12


def test_skipped_lines_are_given_with_their_line_and_reason(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "reports.jsonl", 3)
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1]) | {"lat": 123}
    path.write_text("\n".join([lines[0], json.dumps(bad), lines[2]]) + "\n", encoding="utf-8")
    ctx = importer(engine, settings)
    outcome = bulk.run(
        ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="t", skip_invalid=True
    )
    assert outcome.stored == 2
    (skipped,) = outcome.skipped
    assert skipped.line == 2
    assert skipped.reason.startswith("lat:")
    assert str(skipped) == f"line 2: {skipped.reason}"


def test_acled_exports_are_read_with_their_types_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,sub_event_type,iso,country,location,latitude,"
        "longitude,notes,fatalities,source\n"
        'AZE1,2022-02-01,Protests,Peaceful protest,31,Azerbaijan,Baku,40.4,49.86,"On 1 February '
        '2022, residents protested in Baku. [size=no report]",0,Turan\n',
        encoding="utf-8",
    )
    (row,) = list(sources.read(path))
    assert isinstance(row, sources.Row)
    assert sources.count(path) == 1
    assert sources.detect(path) == "acled"
    assert row.draft.event_type == "peaceful-protest"
    assert row.draft.origin_ref == "AZE1"
    assert row.draft.country == "AZ"
    assert "[size" not in row.draft.narrative
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text().replace("Peaceful protest", "Picnic"), encoding="utf-8")
    (unread,) = list(sources.read(bad))
    assert unread == sources.Unreadable(
        2, "sub_event_type: 'Picnic' is not an ACLED sub-event type", "event_type"
    )


def test_missed_acknowledgements_escalate(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "reports.jsonl", 1)
    ctx = importer(engine, settings)
    bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="import:t")
    system = Context(operator_principal(settings, "system:escalation"), trail(settings, engine))
    assert escalation.run(system, datetime.now(UTC)) == []
    later = datetime.now(UTC) + timedelta(days=3)
    done = escalation.run(system, later)
    assert done and {e.level for e in done} == {1}
    assert {e.agency_id for e in done} >= {"agency-sbs"}  # 3.5's lead agency
    with session_factory(engine)() as session:
        kinds = list(session.scalars(select(IncidentEventRow.kind)))
        levels = set(session.scalars(select(RoutingRow.escalation_level)))
    assert "escalated" in kinds
    assert levels == {0, 1}  # the reporting agency acknowledged by reporting


def test_typing_and_placing_in_worker_processes_stores_the_same(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jsonl(tmp_path / "reports.jsonl", 12)
    monkeypatch.setattr(bulk, "CHUNK", 4)
    ctx = importer(engine, settings)
    outcome = bulk.run(
        ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="import:w", workers=2
    )
    assert (outcome.stored, outcome.rows) == (12, 12)
    with session_factory(engine)() as session:
        typed = set(session.scalars(select(ReportRow.event_type)))
        placed = list(session.scalars(select(ReportRow.location_precision)))
    assert typed == {"smuggling"}
    assert placed == ["point"] * 12


@pytest.mark.parametrize("held", [10, 1])
def test_reports_join_incidents_of_earlier_chunks(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    held: int,
) -> None:
    """The writer holds the incidents of earlier chunks (or, once it holds too many, reads
    them back): either way a later report of the same event joins, and the stored incident
    counts every report."""
    lines = [
        {
            "id": f"s-{n}",
            "text": "Customs officers seized smuggled cigarettes at the Samur crossing.",
            "date": DAY.date().isoformat(),
            "lat": 41.83 + (0.0 if n % 2 == 0 else 3.0),
            "lon": 48.52,
        }
        for n in range(8)
    ]
    path = tmp_path / "same.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    monkeypatch.setattr(bulk, "CHUNK", 2)
    monkeypatch.setattr(store, "HELD_INCIDENTS", held)
    ctx = importer(engine, settings)
    outcome = bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="j")
    assert (outcome.stored, outcome.incidents, outcome.joined) == (8, 2, 6)
    with session_factory(engine)() as session:
        counts = sorted(session.scalars(select(IncidentRow.report_count)))
        members = session.scalar(select(func.count()).select_from(MembershipRow))
        routed = session.execute(select(RoutingRow.incident_id, RoutingRow.agency_id)).all()
    assert counts == [4, 4]
    assert members == 8
    assert len(routed) == len(set(routed))  # each agency once per incident
