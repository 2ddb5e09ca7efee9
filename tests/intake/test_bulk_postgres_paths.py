"""The bulk writes that differ by database: the rollup upserts (one statement over arrays on
PostgreSQL) add and remove exactly what the same changes do one by one, and a chunk's relaxed
commit (PostgreSQL) stays inside the chunk's transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, select

from qalxan.intake import bulk, sources
from qalxan.intake.classify import RuleClassifier
from qalxan.picture import rollup
from qalxan.picture.contribution import Contribution
from qalxan.picture.grains import GRAINS
from qalxan.settings import Settings
from qalxan.store.engine import is_sqlite, transaction
from tests.intake.test_bulk import importer, write_jsonl
from tests.people import load_bundled


def counted(day: date, region: str, severity: int, killed: int) -> Contribution:
    return Contribution(
        day=day,
        event_type="armed_clash",
        region=region,
        classification=1,
        threats=("military", "terrorism"),
        severity=severity,
        killed=killed,
        injured=0,
    )


def rollup_rows(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            grain.name: {tuple(row) for row in conn.execute(select(grain.table))}
            for grain in GRAINS
        }


def test_rollup_upserts_add_and_remove_the_measures_of_each_key(engine: Engine) -> None:
    day = date(2026, 10, 5)
    first = counted(day, "AZ-TOV", 3, 2)
    second = counted(day, "AZ-TOV", 4, 1)
    elsewhere = counted(day, "AZ-BA", 2, 0)
    with transaction(engine) as session:
        rollup.apply(session, [(None, first), (None, second), (None, elsewhere)])
    with transaction(engine) as session:
        # One key rises, one falls to nothing (its rows go), in the same batch.
        rollup.apply(session, [(first, counted(day, "AZ-TOV", 5, 3)), (elsewhere, None)])
    rows = rollup_rows(engine)
    assert {r[1:] for r in rows["day"]} == {
        ("military", "AZ-TOV", 1, 2, 9, 4, 0),
        ("terrorism", "AZ-TOV", 1, 2, 9, 4, 0),
    }
    assert all(r[0] == day for r in rows["day"])
    with transaction(engine) as session:
        rollup.apply(session, [(counted(day, "AZ-TOV", 5, 3), None), (second, None)])
    assert rollup_rows(engine) == {grain.name: set() for grain in GRAINS}


def test_a_chunk_commits_without_waiting_on_postgresql_and_only_that_chunk(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    seen: list[str] = []

    def at_commit(conn: Connection) -> None:
        seen.append(conn.exec_driver_sql("SHOW synchronous_commit").scalar_one())

    postgres = not is_sqlite(str(engine.url))
    if postgres:
        event.listen(engine, "commit", at_commit)
    path = write_jsonl(tmp_path / "reports.jsonl", 6)
    ctx = importer(engine, settings)
    outcome = bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="t")
    assert outcome.stored == 6
    if not postgres:
        pytest.skip("SQLite has no per-transaction commit setting")
    event.remove(engine, "commit", at_commit)
    assert "off" in seen
    with engine.connect() as conn:
        # SET LOCAL: the pooled connection is back to the server's setting.
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
