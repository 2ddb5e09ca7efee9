"""Synthetic audit records at chosen times, appended through the real audit code.

Screening and case work arrive in later capabilities; their records (and days of past reading)
are made here with :func:`audit.append` under a stopped clock, so that the chain stays intact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from qalxan.access import audit
from qalxan.access.principal import Principal
from qalxan.access.tables import AuditRow
from qalxan.bootstrap import trail
from qalxan.settings import Settings
from qalxan.store.engine import transaction, write_transaction

BAKU = ZoneInfo("Asia/Baku")


def actor(name: str, agency: str, roles: tuple[str, ...] = ("analyst",)) -> Principal:
    return Principal(
        user_id=f"id-{name}",
        username=name,
        agency_id=agency,
        unit_id=None,
        roles=roles,
        clearance=3,
        via="session",
    )


def baku(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local time in Asia/Baku (the default QALXAN_TIMEZONE), as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=BAKU).astimezone(UTC)


@dataclass(frozen=True)
class Event:
    at: datetime
    principal: Principal
    entry: audit.Entry
    outcome: audit.Outcome = "success"


def read(
    at: datetime, who: Principal, record_agency: str | None = None, record_type: str = "bulletin"
) -> Event:
    owner = record_agency or who.agency_id
    return Event(at, who, audit.Entry(f"{record_type}.read", record_type, "r-1", owner))


def event(at: datetime, who: Principal, action: str, **fields: Any) -> Event:
    return Event(at, who, audit.Entry(action, **fields))


@contextmanager
def stopped_clock() -> Iterator[list[datetime]]:
    """Patch the audit module's clock; set ``now[0]`` to move it."""
    now = [datetime.now(UTC)]

    class Stopped(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return now[0]

    with mock.patch.object(audit, "datetime", Stopped):
        yield now


def append(engine: Engine, settings: Settings, events: Iterable[Event]) -> None:
    """Append ``events`` to the chain, each at its own time (in one transaction)."""
    records = trail(settings, engine)
    with stopped_clock() as now, write_transaction(engine) as session:
        for item in events:
            now[0] = item.at
            audit.append(session, audit.Context(item.principal, records), item.entry, item.outcome)


def actions(engine: Engine, prefix: str) -> list[AuditRow]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(AuditRow).where(AuditRow.action.startswith(prefix)).order_by(AuditRow.seq)
            )
        )
