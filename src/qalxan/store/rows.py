"""Inserting many rows at once through the driver.

For the bulk paths (an import stores a dozen rows per report): SQLAlchemy's per-row parameter
processing costs more than the database's own bulk input, which is ``executemany`` on SQLite
and ``COPY`` on PostgreSQL. Values are converted here the way SQLAlchemy stores them, so rows
read back identically either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, DateTime, Table
from sqlalchemy.orm import Session

from qalxan.store.engine import compact_json, driver

Convert = Callable[[Any], Any]


class Json(str):
    """A JSON column's value given as its encoded text: for values many rows share, encoded
    once instead of once per row."""


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (mappings of column names, all with the same keys) into ``table``."""
    if not rows:
        return
    db = driver(session)
    names = tuple(rows[0])
    sql, converters = _statement(table, names, db.sqlite)
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    # Most columns go as they are: only the others are converted, value by value.
    plan = [(i, convert) for i, convert in enumerate(converters) if convert is not _same]
    params: list[Any] = []
    for row in rows:
        params.append(params_of := list(values(row)))
        for i, convert in plan:
            params_of[i] = convert(params_of[i])
    if db.sqlite:
        db.cursor.executemany(sql, params)
        return
    with db.cursor.copy(sql) as copy:
        for values in params:
            copy.write_row(values)


@lru_cache(maxsize=256)
def _statement(
    table: Table, names: tuple[str, ...], sqlite: bool
) -> tuple[str, tuple[Convert, ...]]:
    """The statement, and for each column how a value becomes a parameter (decided once per
    table, from the column types, not per value)."""
    columns = ", ".join(names)
    converters: list[Convert] = []
    for name in names:
        kind = table.c[name].type
        if isinstance(kind, JSON):
            # Both databases take the JSON text (COPY casts it to jsonb).
            converters.append(_json)
        elif isinstance(kind, DateTime) and sqlite:
            converters.append(_sqlite_time)
        else:
            converters.append(_same)
    if not sqlite:
        return f"COPY {table.name} ({columns}) FROM STDIN", tuple(converters)
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"  # noqa: S608
    return sql, tuple(converters)


def _same(value: Any) -> Any:
    return value


def _json(value: Any) -> str:
    return value if type(value) is Json else compact_json(value)


@lru_cache(maxsize=4096)
def _sqlite_time(value: datetime | None) -> str | None:
    # As SQLAlchemy stores it on SQLite: naive UTC text. Cached: a chunk's rows share a few
    # times (the moment it was stored above all).
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
