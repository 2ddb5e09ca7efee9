"""The rollups kept up to date by the intake's own writes equal a rebuild from the incidents,
after every kind of change, and a failed write changes neither."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from qalxan.access.audit import Context
from qalxan.bootstrap import operator_principal, trail
from qalxan.errors import InvalidInput
from qalxan.intake import bulk, curation, sources
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.draft import Draft
from qalxan.intake.store import Stored
from qalxan.intake.submit import submit
from qalxan.picture import rollup
from qalxan.picture.rebuild import differences, incident_count, rebuild
from qalxan.picture.tables import DayRow, DayTypeRow, MonthRow, NationalWeekRow, WeekRow
from qalxan.settings import Settings
from tests.people import Person, load_bundled, make_person

NOW = datetime.now(UTC).replace(microsecond=0)
TOVUZ = (40.99, 45.63)
BAKU = (40.4093, 49.8671)
ASTARA = (38.456, 48.875)
TBILISI = (41.7151, 44.8271)
MODELS = (DayTypeRow, DayRow, MonthRow, WeekRow, NationalWeekRow)


@pytest.fixture
def police(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "police", "agency-police", ["duty_officer"])


@pytest.fixture
def mes(engine: Engine, settings: Settings) -> Person:
    return make_person(engine, settings, "mes", "agency-mes", ["duty_officer"])


def stored_rows(engine: Engine) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """Every rollup row, per table: key -> (incidents, severity_sum, killed, injured)."""
    found: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = {}
    with engine.connect() as conn:
        for model in MODELS:
            table = model.__table__
            keys = [c.name for c in table.primary_key.columns]
            found[table.name] = {
                tuple(getattr(r, k) for k in keys): (
                    r.incidents,
                    r.severity_sum,
                    r.killed,
                    r.injured,
                )
                for r in conn.execute(select(table))
            }
    return found


def per_threat(engine: Engine, event_type: str) -> dict[str, int]:
    """Incidents of one event type per threat, summed over days and regions."""
    sums: dict[str, int] = defaultdict(int)
    for (_, threat, kind, _, _), measures in stored_rows(engine)["picture_day_type"].items():
        if kind == event_type:
            sums[threat] += measures[0]
    return dict(sums)


def agrees(engine: Engine) -> None:
    assert differences(engine) == []


def test_every_change_of_the_intake_keeps_the_rollups_equal_to_a_rebuild(
    engine: Engine, settings: Settings, police: Person, mes: Person
) -> None:
    def send(who: Person, text: str, hours: float, **fields: Any) -> Stored:
        draft = Draft(text, NOW - timedelta(hours=hours), **fields)
        return submit(who.ctx(engine, settings), load_bundled(), RuleClassifier(), draft)

    clash = "Armed clash at the border post near Tovuz, soldiers killed in an exchange of fire"
    first = send(police, clash, 3, event_type="armed-clash", lat=TOVUZ[0], lon=TOVUZ[1], killed=1)
    second = send(mes, clash, 2, event_type="armed-clash", lat=TOVUZ[0], lon=TOVUZ[1], killed=2)
    assert second.joined and second.incident_id == first.incident_id
    rally = "About 200 people held a peaceful rally in the park"
    send(police, rally, 5, event_type="peaceful-protest", lat=BAKU[0], lon=BAKU[1])
    send(mes, "Flooding after heavy rain, houses under water", 30, lat=TBILISI[0], lon=TBILISI[1])
    smuggled = "Smuggled cigarettes seized by the police in a truck"
    unplaced = send(police, smuggled, 50, event_type="smuggling")
    placed = send(police, smuggled + " at the Astara crossing", 75, lat=ASTARA[0], lon=ASTARA[1])
    assert not placed.joined
    agrees(engine)

    # An incident of two threats is counted under each; the protest under no threat.
    assert per_threat(engine, "armed-clash") == {"threat-3-1": 1, "threat-3-5": 1}
    assert per_threat(engine, "peaceful-protest") == {"": 1}
    assert per_threat(engine, "smuggling") == {"threat-3-5": 2}
    regions = {key[3] for key in stored_rows(engine)["picture_day_type"]}
    # Districts of Azerbaijan, the country elsewhere (Tbilisi), "" for the unplaced report.
    assert regions == {"AZ-TOV", "AZ-BA", "AZ-AST", "GE", ""}
    killed = stored_rows(engine)["picture_month"]
    assert sum(m[2] for k, m in killed.items() if k[1] == "threat-3-1") == 2  # the higher count

    ctx = police.ctx(engine, settings)
    # Merged into the unplaced incident, which takes the other's place and earlier day.
    curation.merge(ctx, unplaced.incident_id, placed.incident_id, "the same seizure")
    agrees(engine)
    assert per_threat(engine, "smuggling") == {"threat-3-5": 1}
    (smuggling,) = [k for k in stored_rows(engine)["picture_day_type"] if k[2] == "smuggling"]
    assert smuggling[0] == (NOW - timedelta(hours=75)).date() and smuggling[3] == "AZ-AST"

    curation.split(ctx, first.incident_id, [second.report_id], "two separate clashes")
    agrees(engine)
    assert per_threat(engine, "armed-clash") == {"threat-3-1": 2, "threat-3-5": 2}

    # A type correction labels the report (for training); the incident keeps its type.
    before = stored_rows(engine)
    curation.label(ctx, first.report_id, "shelling", "it was shelling")
    agrees(engine)
    assert stored_rows(engine) == before


def write_reports(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def bulk_rows(count: int) -> list[dict[str, Any]]:
    """Pairs of reports of one event (the second joins the first, with more casualties and,
    for some, observed the evening before, so that the incident moves to the previous day)."""
    day = datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
    kinds = [
        ("armed-clash", "Exchange of fire at the border post, soldiers wounded", TOVUZ),
        ("peaceful-protest", "Residents held a peaceful rally in the square", BAKU),
        ("smuggling", "Customs officers seized smuggled cigarettes at the crossing", ASTARA),
        ("flood", "Flooding after heavy rain, houses under water", TBILISI),
    ]
    rows = []
    for n in range(count):
        kind, text, (lat, lon) = kinds[n % len(kinds)]
        at = day + timedelta(days=n)
        for copy in range(2):
            seen = at - timedelta(hours=copy) if n % 3 else at
            rows.append(
                {
                    "id": f"e{n}-{copy}",
                    "text": f"{text}, event {n}.",
                    "date": seen.isoformat(),
                    "event_type": kind,
                    "lat": lat + 0.01 * copy,
                    "lon": lon,
                    "injured": n % 3 + copy,
                }
            )
    return rows


def importer(engine: Engine, settings: Settings) -> Context:
    principal = replace(
        operator_principal(settings, "cli:test"), roles=("duty_officer",), agency_id="agency-mes"
    )
    return Context(principal, trail(settings, engine))


def test_a_bulk_import_keeps_the_rollups_equal_to_a_rebuild(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 3)  # flushes in many chunks; joins across them
    path = write_reports(tmp_path / "reports.jsonl", bulk_rows(10))
    outcome = bulk.run(
        importer(engine, settings), load_bundled(), RuleClassifier(), sources.read(path), origin="t"
    )
    assert outcome.stored == 20 and outcome.joined >= 8
    agrees(engine)
    rows = stored_rows(engine)
    assert sum(m[0] for m in rows["picture_month"].values()) >= 10
    # Rebuilding changes nothing.
    rebuild(engine)
    assert stored_rows(engine) == rows


def test_a_failed_import_changes_neither_the_incidents_nor_the_rollups(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = importer(engine, settings)
    good = write_reports(tmp_path / "good.jsonl", bulk_rows(2))
    bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(good), origin="t")
    before = stored_rows(engine)
    assert before["picture_day"]

    # A bad line in the file: refused before anything is stored.
    rows = bulk_rows(6)[4:]
    rows[3]["lat"] = 123
    bad = write_reports(tmp_path / "bad.jsonl", rows)
    with pytest.raises(InvalidInput, match="line 4"):
        bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(bad), origin="t")
    assert stored_rows(engine) == before

    # A failure after the rollups were written, in the same transaction: both roll back.
    real = rollup.apply

    def failing(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(rollup, "apply", failing)
    more = write_reports(tmp_path / "more.jsonl", bulk_rows(6)[4:])
    with pytest.raises(RuntimeError, match="disk full"):
        bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(more), origin="t")
    assert stored_rows(engine) == before
    agrees(engine)


def test_the_check_finds_rollups_that_differ_and_a_rebuild_mends_them(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = write_reports(tmp_path / "reports.jsonl", bulk_rows(4))
    bulk.run(
        importer(engine, settings), load_bundled(), RuleClassifier(), sources.read(path), origin="t"
    )
    expected = stored_rows(engine)
    with engine.begin() as conn:
        conn.execute(update(DayRow).values(killed=DayRow.killed + 5))
        conn.execute(MonthRow.__table__.delete())
    found = differences(engine)
    assert {d.grain for d in found} == {"day", "month"}
    month = next(d for d in found if d.grain == "month")
    assert month.stored is None and month.fresh is not None and month.fresh[0] > 0
    assert all(
        d.stored and d.fresh and d.stored[2] == d.fresh[2] + 5 for d in found if d.grain == "day"
    )
    rebuilt = rebuild(engine)
    assert rebuilt.incidents == incident_count(engine) >= 4
    assert stored_rows(engine) == expected
    agrees(engine)
