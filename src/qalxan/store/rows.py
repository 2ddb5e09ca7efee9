"""Inserting many rows at once through the driver.

For the bulk paths (an import stores a dozen rows per report): SQLAlchemy's per-row parameter
processing costs more than the database's own bulk input, which is ``executemany`` on SQLite
and ``COPY`` on PostgreSQL. Values are converted here the way SQLAlchemy stores them, so rows
read back identically either way.

A caller whose values are exactly of their columns' types (``str``, ``int``, ``float``,
``bool``, aware ``datetime``, JSON as :class:`Json` or any encodable value) may say so with
``typed``: PostgreSQL then takes the rows in COPY's binary format, which psycopg writes in C
from those types, where the text format cost the client more than the server spent on the
rows. The text format stays the default: it also takes, say, a number for a string column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format
from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Table, Text
from sqlalchemy.orm import Session

from qalxan.store.engine import compact_json, driver

Convert = Callable[[Any], Any]


class Json(str):
    """A JSON column's value given as its encoded text: for values many rows share, encoded
    once instead of once per row."""


def insert_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, typed: bool = False
) -> None:
    """Insert ``rows`` (mappings of column names, all with the same keys) into ``table``;
    ``typed``: every value is of its column's type (see the module)."""
    if not rows:
        return
    db = driver(session)
    names = tuple(rows[0])
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    types = _binary_types(table, names) if typed and not db.sqlite else None
    if types is not None:
        _copy_binary(db.cursor, table, names, types, map(values, rows))
        return
    sql, converters = _statement(table, names, db.sqlite)
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
        for params_of in params:
            copy.write_row(params_of)


def _copy_binary(
    cursor: Any, table: Table, names: tuple[str, ...], types: tuple[str, ...], rows: Any
) -> None:
    # The cursor is the session's own, made for this statement: the JSON dumper changes
    # nothing else.
    cursor.adapters.register_dumper(None, _JsonText)
    sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
    with cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


# The PostgreSQL type each column type is written as (the server reads it with the column's
# own type: a ``varchar(8)`` still refuses nine letters). Exact classes: a subclass may be
# stored otherwise (a ``BigInteger`` in eight bytes, say).
_BINARY: dict[type[Any], str] = {
    String: "text",
    Text: "text",
    Integer: "int4",
    Float: "float8",
    Boolean: "bool",
    JSON: "jsonb",
}


@lru_cache(maxsize=256)
def _binary_types(table: Table, names: tuple[str, ...]) -> tuple[str, ...] | None:
    """The types to write the columns as in binary, or None if a column has a type without
    one here (written as text, then)."""
    found = []
    for name in names:
        kind = table.c[name].type
        if isinstance(kind, DateTime) and kind.timezone:
            found.append("timestamptz")
            continue
        pg = _BINARY.get(type(kind))
        if pg is None or (isinstance(kind, Float) and kind.precision is not None):
            return None
        found.append(pg)
    return tuple(found)


class _JsonText(Dumper):
    """A JSON value in jsonb's binary format: a version byte, then the text, as stored (see
    :func:`qalxan.store.engine.compact_json`)."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + _json(obj).encode()


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
