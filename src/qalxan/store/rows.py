"""Inserting many rows at once through the driver.

For the bulk paths (an import stores a dozen rows per report): SQLAlchemy's per-row parameter
processing costs more than SQLite's or PostgreSQL's own executemany. Values are converted here
the way SQLAlchemy stores them, so rows read back identically either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime, Table
from sqlalchemy.orm import Session

from qalxan.store.engine import compact_json, driver

Convert = Callable[[Any], Any]


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (mappings of column names, all with the same keys) into ``table``."""
    if not rows:
        return
    db = driver(session)
    names = tuple(rows[0])
    sql, converters = _statement(table, names, db.sqlite)
    plan = tuple(zip(names, converters, strict=True))
    params = [tuple(convert(row[name]) for name, convert in plan) for row in rows]
    db.cursor.executemany(sql, params)


@lru_cache(maxsize=256)
def _statement(
    table: Table, names: tuple[str, ...], sqlite: bool
) -> tuple[str, tuple[Convert, ...]]:
    """The statement, and for each column how a value becomes a parameter (decided once per
    table, from the column types, not per value)."""
    marks = []
    converters: list[Convert] = []
    for name in names:
        kind = table.c[name].type
        if isinstance(kind, JSON):
            converters.append(compact_json)
            # PostgreSQL needs to be told the text is jsonb; SQLite stores the text itself.
            marks.append("?" if sqlite else "CAST(%s AS jsonb)")
        elif isinstance(kind, DateTime) and sqlite:
            converters.append(_sqlite_time)
            marks.append("?")
        else:
            converters.append(_same)
            marks.append("?" if sqlite else "%s")
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(marks)})"  # noqa: S608
    return sql, tuple(converters)


def _same(value: Any) -> Any:
    return value


def _sqlite_time(value: datetime | None) -> str | None:
    # As SQLAlchemy stores it on SQLite: naive UTC text.
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
