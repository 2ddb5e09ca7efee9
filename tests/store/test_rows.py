"""Bulk inserts through the driver store what SQLAlchemy would: with or without ``typed`` (the
binary COPY on PostgreSQL), with JSON given encoded or as values, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, Table, insert, select

from qalxan.intake.tables import IncidentRow
from qalxan.picture.tables import DayRow
from qalxan.store.engine import transaction
from qalxan.store.rows import Json, insert_rows

AT = datetime(2026, 10, 5, 7, 30, 15, 123456, tzinfo=UTC)


def incident(incident_id: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": incident_id,
        "owner_agency": "agency-police",
        "owner_unit": None,
        "classification": 2,
        "tlp": "AMBER",
        "title": 'Atışma — «sərhəd» "quoted" \\ back',
        "event_type": "armed_clash",
        "public_event": True,
        "status": "open",
        "first_observed": AT,
        "last_observed": AT + timedelta(days=1),
        "severity": 3,
        "severity_reasons": [{"rule": "base", "level": 3, "reason": "ş"}],
        "killed": 0,
        "injured": 7,
        "report_count": 1,
        "fingerprint": "",
        "place_text": "Tovuz",
        "lat": 40.99123456789,
        "lon": -45.6,
        "country": "AZ",
        "admin1": None,
        "location_precision": "place",
        "place_facts": Json('{"border_zone":true,"pipeline":null}'),
        "created_at": AT,
        "updated_at": AT,
    }
    return {**row, **changes}


def table(model: type[Any]) -> Table:
    found: Table = model.__table__
    return found


def stored(engine: Engine, model: type[Any], order: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(table(model)).order_by(order)).mappings()
        return [dict(row) for row in rows]


@pytest.mark.parametrize("typed", [False, True])
def test_rows_read_back_as_sqlalchemy_stores_them(engine: Engine, typed: bool) -> None:
    given = [
        incident("a" * 24),
        incident("b" * 24, severity_reasons=Json("[]"), lat=None, lon=None, public_event=False),
    ]
    with transaction(engine) as session:
        insert_rows(session, table(IncidentRow), given, typed=typed)
        # The same values through SQLAlchemy, JSON as values (it encodes them itself).
        reference = incident("c" * 24, place_facts={"border_zone": True, "pipeline": None})
        session.execute(insert(IncidentRow), [reference])
    first, second, third = stored(engine, IncidentRow, IncidentRow.id)
    assert {**first, "id": ""} == {**third, "id": ""}
    assert first["place_facts"] == {"border_zone": True, "pipeline": None}
    assert first["title"] == given[0]["title"]
    assert first["lat"] == 40.99123456789
    assert (second["severity_reasons"], second["lat"], second["public_event"]) == ([], None, False)


def test_typed_and_text_rows_are_the_same(engine: Engine) -> None:
    # A time with another offset is stored as the same instant either way.
    later = AT.astimezone(timezone(timedelta(hours=4)))
    with transaction(engine) as session:
        insert_rows(session, table(IncidentRow), [incident("a" * 24, created_at=later)])
        typed = [incident("b" * 24, created_at=later)]
        insert_rows(session, table(IncidentRow), typed, typed=True)
    text, binary = stored(engine, IncidentRow, IncidentRow.id)
    assert {**text, "id": ""} == {**binary, "id": ""}
    assert text["created_at"].replace(tzinfo=UTC) == AT


def test_typed_rows_of_a_table_without_binary_types_go_as_text(engine: Engine) -> None:
    # A date column has no binary type here: the rows still go in, as text.
    row = {
        "day": date(2026, 10, 5),
        "threat": "threat-3-4",
        "region": "AZ-TOV",
        "classification": 1,
        "incidents": 2,
        "severity_sum": 7,
        "killed": 1,
        "injured": 0,
    }
    with transaction(engine) as session:
        insert_rows(session, table(DayRow), [row], typed=True)
    assert stored(engine, DayRow, DayRow.day) == [row]


@pytest.mark.parametrize("typed", [False, True])
def test_a_value_too_long_for_its_column_is_refused(engine: Engine, typed: bool) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite keeps any length")
    with pytest.raises(psycopg.DataError), transaction(engine) as session:
        insert_rows(
            session, table(IncidentRow), [incident("e" * 24, admin1="AZ-TOOLONG")], typed=typed
        )
