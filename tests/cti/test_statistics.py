"""Planner statistics after a bulk import: PostgreSQL's tables are analysed once the import has
committed, when it wrote more than the threshold; SQLite is left alone."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text

from qalxan.cti import ingest, statistics
from qalxan.cti.taxii import writing
from tests.cti.taxii_support import ROOT, Cast, cast  # noqa: F401

NEVER = -1.0  # pg_class.reltuples of a table never analysed nor vacuumed


def reltuples(engine: Engine, table: str) -> float:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table}
        ).scalar_one()
    return float(found)


def indicator(n: int) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=n + 1, version=4)}",
        "created": "2024-03-01T10:00:00.000Z",
        "modified": "2024-03-01T10:00:00.000Z",
        "name": f"C2 {n}",
        "pattern": f"[ipv4-addr:value = '192.0.2.{n}']",
        "pattern_type": "stix",
        "valid_from": "2024-03-01T10:00:00.000Z",
    }


def test_only_above_the_threshold_and_only_on_postgresql(cast: Cast) -> None:  # noqa: F811
    engine = cast.engine
    postgresql = statistics.is_postgresql(engine)
    assert postgresql == (engine.dialect.name == "postgresql")
    assert not statistics.after_import(engine, statistics.BULK)
    assert statistics.after_import(engine, statistics.BULK + 1) == postgresql
    if postgresql:
        assert [reltuples(engine, t) for t in statistics.TABLES] == [0.0, 0.0, 0.0]


def test_a_bulk_import_is_analysed_after_its_commit(
    cast: Cast,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = cast.engine
    postgresql = statistics.is_postgresql(engine)
    ctx = cast.ctx(cast.cert)
    collection_id = cast.collection("Indicators")
    small = ingest.import_objects(ctx, [indicator(0)], collection=collection_id)
    assert (small.stored, small.analysed) == (1, False)
    if postgresql:
        assert reltuples(engine, "cti_objects") == NEVER
    monkeypatch.setattr(statistics, "BULK", 2)
    bulk = ingest.import_objects(ctx, [indicator(n) for n in range(1, 4)], collection=collection_id)
    assert (bulk.stored, bulk.analysed) == (3, postgresql)
    if postgresql:
        # Another connection, after the commit: it counted every committed row.
        counted = [reltuples(engine, t) for t in statistics.TABLES]
        assert counted == [4.0, 4.0, 4.0]  # versions, collection entries, observables
    again = ingest.import_objects(ctx, [indicator(n) for n in range(4)], collection=collection_id)
    assert (again.stored, again.already, again.analysed) == (0, 4, False)


def test_a_bulk_taxii_add_is_analysed(
    cast: Cast,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = cast.engine
    monkeypatch.setattr(statistics, "BULK", 2)
    collection_id = cast.collection("Indicators")
    envelope = json.dumps({"objects": [indicator(n) for n in range(3)]}).encode()
    status = writing.add(cast.ctx(cast.cert), ROOT, collection_id, envelope)
    assert status["success_count"] == 3
    if statistics.is_postgresql(engine):
        assert reltuples(engine, "cti_objects") == 3.0
