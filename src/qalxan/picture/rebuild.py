"""Recomputing the rollups from the incidents, and checking the stored ones against that.

Both read the incidents in chunks and count them with the same code as the incremental path
(:func:`qalxan.picture.rollup.apply`). A rebuild replaces the rollups in one transaction,
other writers of incidents kept waiting meanwhile; a check counts into temporary tables from
one snapshot of the database, compares, and rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    delete,
    except_,
    func,
    or_,
    select,
)

from qalxan.intake.tables import IncidentRow
from qalxan.picture.contribution import COLUMNS, counted
from qalxan.picture.grains import GRAINS, Grain, Key
from qalxan.picture.rollup import apply
from qalxan.picture.tables import MEASURES
from qalxan.store.engine import lock_out_writers, snapshot, write_transaction

CHUNK = 10_000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Rebuilt:
    incidents: int
    rows: dict[str, int]


@dataclass(frozen=True)
class Difference:
    """A key whose stored measures are not what the incidents give (None: no row)."""

    grain: str
    key: dict[str, Any]
    stored: tuple[int, ...] | None
    fresh: tuple[int, ...] | None


def incident_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(_incidents())) or 0)


def rebuild(engine: Engine, progress: Progress | None = None) -> Rebuilt:
    """Replace every rollup with one counted from the incidents, in one transaction."""
    with write_transaction(engine) as session:
        lock_out_writers(session, [grain.table.name for grain in GRAINS])
        connection = session.connection()
        for grain in GRAINS:
            connection.execute(delete(grain.table))
        read = count_into(connection, GRAINS, progress)
        rows = {
            grain.name: int(connection.scalar(select(func.count()).select_from(grain.table)) or 0)
            for grain in GRAINS
        }
    return Rebuilt(read, rows)


def differences(engine: Engine, progress: Progress | None = None) -> list[Difference]:
    """How the stored rollups differ from the incidents counted afresh (nothing is changed)."""
    with snapshot(engine) as connection:
        scratch = [grain.on(_scratch(grain.table)) for grain in GRAINS]
        for grain in scratch:
            grain.table.create(connection)
        count_into(connection, scratch, progress)
        found: list[Difference] = []
        for stored, fresh in zip(GRAINS, scratch, strict=True):
            found += _compare(connection, stored, fresh.table)
    return found


def count_into(
    connection: Connection, grains: Sequence[Grain], progress: Progress | None = None
) -> int:
    """Add every incident to ``grains``' tables; returns how many were read."""
    table = _incidents()
    query = select(*(table.c[name] for name in COLUMNS)).execution_options(yield_per=CHUNK)
    read = 0
    for rows in connection.execute(query).partitions():
        apply(connection, [(None, counted(*row)) for row in rows], grains)
        read += len(rows)
        if progress is not None:
            progress(len(rows))
    return read


def _compare(connection: Connection, grain: Grain, fresh: Table) -> list[Difference]:
    names = grain.key_columns

    def rows(table: Table) -> Any:
        # A row of zeros counts nothing: the same as no row.
        return select(*(table.c[n] for n in names + MEASURES)).where(
            or_(*(table.c[m] != 0 for m in MEASURES))
        )

    width = len(names)
    sides: dict[Key, list[tuple[int, ...] | None]] = {}
    for side, (one, other) in enumerate(((grain.table, fresh), (fresh, grain.table))):
        for row in connection.execute(except_(rows(one), rows(other))):
            key = tuple(row[:width])
            sides.setdefault(key, [None, None])[side] = tuple(row[width:])
    return [
        Difference(grain.name, dict(zip(names, key, strict=True)), stored, fresh_measures)
        for key, (stored, fresh_measures) in sorted(sides.items())
    ]


def _scratch(table: Table) -> Table:
    """A temporary table of ``table``'s columns and key, for this connection only."""
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in table.columns
    ]
    return Table(f"{table.name}_fresh", MetaData(), *columns, prefixes=["TEMPORARY"])


def _incidents(model: type[Any] = IncidentRow) -> Table:
    table: Table = model.__table__
    return table
