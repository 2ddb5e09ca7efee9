"""Applying changes of incidents to the rollups, in the caller's transaction.

A change is a pair of contributions: the incident as the rollups count it, and as it is now
(None for an incident that did not count before, or no longer counts). The changes of a whole
batch are netted in memory into one delta per key, and each grain is written with one upsert
(``INSERT ... ON CONFLICT DO UPDATE``) that adds the deltas to the stored measures; rows that
fall to zero are deleted. Keys are written in order, so that concurrent writers lock the rows
they share in one order.

On SQLite the upsert is an ``executemany`` (in the process, a statement costs little); on
PostgreSQL it is a single statement over arrays of the keys and deltas (``unnest``): one
statement per grain instead of one per key, which cost the server and the client more than
the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from sqlalchemy import Connection, Date, Table
from sqlalchemy.orm import Session

from qalxan.picture.contribution import Contribution
from qalxan.picture.grains import GRAINS, Grain, Key
from qalxan.picture.tables import MEASURES
from qalxan.store.engine import Driver, driver

Change = tuple[Contribution | None, Contribution | None]
Deltas = dict[Key, list[int]]


def apply(
    target: Session | Connection, changes: Iterable[Change], grains: Sequence[Grain] = GRAINS
) -> None:
    """Add ``changes`` to the rollups through ``target``'s connection (and transaction)."""
    deltas = net(changes, grains)
    if not any(deltas):
        return
    db = driver(target)
    with db.pipeline():
        for grain, found in zip(grains, deltas, strict=True):
            write(db, grain, found)


def net(changes: Iterable[Change], grains: Sequence[Grain] = GRAINS) -> list[Deltas]:
    """Per grain, the measures to add per key (keys whose changes cancel out are dropped)."""
    deltas: list[Deltas] = [{} for _ in grains]
    for before, after in changes:
        if before == after:
            continue
        for sign, counted in ((-1, before), (1, after)):
            if counted is None:
                continue
            measures = (
                sign,
                sign * counted.severity,
                sign * counted.killed,
                sign * counted.injured,
            )
            for grain, found in zip(grains, deltas, strict=True):
                for key in grain.keys(counted):
                    row = found.get(key)
                    if row is None:
                        found[key] = list(measures)
                    else:
                        for i, value in enumerate(measures):
                            row[i] += value
    for found in deltas:
        for key in [k for k, m in found.items() if not any(m)]:
            del found[key]
    return deltas


def write(db: Driver, grain: Grain, deltas: Deltas) -> None:
    """Add ``deltas`` to ``grain``'s table; delete the rows they empty."""
    if not deltas:
        return
    ordered = sorted(deltas.items())
    if not db.sqlite:
        _write_arrays(db, grain.table, ordered)
        return
    upsert, delete, day = _statements(grain.table)
    if day is not None:
        # As SQLAlchemy stores a date on SQLite: ISO text.
        ordered = [(_iso_day(key, day), m) for key, m in ordered]
    db.executemany(upsert, [(*key, *m) for key, m in ordered])
    shrunk = [key for key, m in ordered if m[0] < 0]
    if shrunk:
        db.executemany(delete, shrunk)


@lru_cache(maxsize=32)
def _statements(table: Table) -> tuple[str, str, int | None]:
    """The upsert and the delete of emptied rows, one key per execution (SQLite), and where
    the key holds a date that SQLite needs as text.

    Through the driver, not SQLAlchemy: its parameter processing, row by row, cost three times
    the statement itself (see :mod:`qalxan.store.rows`)."""
    keys = [column.name for column in table.primary_key.columns]
    columns = ", ".join((*keys, *MEASURES))
    marks = ", ".join("?" for _ in (*keys, *MEASURES))
    added = ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in MEASURES)
    upsert = (
        f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) "  # noqa: S608 (names of ours)
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"
    )
    where = " AND ".join([*(f"{k} = ?" for k in keys), *(f"{m} = 0" for m in MEASURES)])
    delete = f"DELETE FROM {table.name} WHERE {where}"  # noqa: S608 (names of ours)
    dates = [i for i, name in enumerate(keys) if isinstance(table.c[name].type, Date)]
    return upsert, delete, dates[0] if dates else None


def _write_arrays(db: Driver, table: Table, ordered: list[tuple[Key, list[int]]]) -> None:
    """PostgreSQL: the upsert, and the delete of emptied rows, each one statement whose
    parameters are one array per column, sent in binary (``%b``: psycopg's text format
    quotes each element of an array, which cost more than the statement)."""
    upsert, delete = _array_statements(table)
    rows = ((*key, *measures) for key, measures in ordered)
    db.execute(upsert, [list(column) for column in zip(*rows, strict=True)])
    shrunk = [key for key, m in ordered if m[0] < 0]
    if shrunk:
        db.execute(delete, [list(column) for column in zip(*shrunk, strict=True)])


@lru_cache(maxsize=32)
def _array_statements(table: Table) -> tuple[str, str]:
    """The upsert and the delete over arrays (PostgreSQL): rows are taken in the arrays' order
    (``WITH ORDINALITY``), which keeps the order in which keys are locked."""
    keys = [column.name for column in table.primary_key.columns]
    names = (*keys, *MEASURES)
    arrays = ", ".join(f"%b::{_sql_type(table, n)}[]" for n in names)
    added = ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in MEASURES)
    upsert = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608 (names of ours)
        f"SELECT {', '.join(names)} FROM unnest({arrays}) WITH ORDINALITY "
        f"AS given({', '.join(names)}, n) ORDER BY n "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"
    )
    key_arrays = ", ".join(f"%b::{_sql_type(table, k)}[]" for k in keys)
    where = " AND ".join(
        [
            *(f"{table.name}.{k} = given.{k}" for k in keys),
            *(f"{table.name}.{m} = 0" for m in MEASURES),
        ]
    )
    delete = (
        f"DELETE FROM {table.name} USING unnest({key_arrays}) "  # noqa: S608 (names of ours)
        f"AS given({', '.join(keys)}) WHERE {where}"
    )
    return upsert, delete


def _sql_type(table: Table, name: str) -> str:
    # The rollups' columns are of generic types (dates, strings, integers), which the
    # default compiler names as PostgreSQL does.
    return table.c[name].type.compile()


def _iso_day(key: Key, at: int) -> Key:
    return (*key[:at], key[at].isoformat(), *key[at + 1 :])
