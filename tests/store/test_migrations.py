"""The migrations create exactly the schema the models describe, on every backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from qalxan.store.tables import Base


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_histories_are_append_only(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO incident_events (incident_id, kind, detail, actor, at) "
                "VALUES ('x', 'created', '{}', 'test', CURRENT_TIMESTAMP)"
            )
        )
    for statement in ("UPDATE incident_events SET kind = 'forged'", "DELETE FROM incident_events"):
        with engine.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(statement))
