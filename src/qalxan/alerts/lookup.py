"""Reading the desk's alerts as a caller: one alert, its history, a page of alerts.

Alerts are protected records: reads go through the policy (a draft of another agency answers
like a missing alert) and are audited (``alert.read``, ``alert.list``). Issued Public alerts
become unclassified and TLP:CLEAR, so every agency's readers see them; their public form,
for anyone, is :mod:`qalxan.alerts.publish`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, or_, select

from qalxan.access import audit, policy
from qalxan.alerts.rows import ISSUED, RECORD_TYPE, STATES, history
from qalxan.alerts.tables import AlertRow, AlertStepRow
from qalxan.errors import InvalidInput

ACTIVE = "active"  # a filter beside the states: issued and not expired
MAX_LIMIT = 200
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class Query:
    """A page of alerts, optionally in one state (or :data:`ACTIVE`), newest change first."""

    state: str | None = None
    limit: int = 50
    offset: int = 0

    def checked(self) -> Query:
        if self.state is not None and self.state not in (*STATES, ACTIVE):
            raise InvalidInput(f"state: one of {', '.join((*STATES, ACTIVE))}", field="state")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}", field="limit")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise InvalidInput(f"offset: between 0 and {MAX_OFFSET}", field="offset")
        return self


def get(ctx: audit.Context, alert_id: str) -> AlertRow:
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, alert_id) as rec:
        row: AlertRow = policy.load(rec.session, ctx.principal, AlertRow, alert_id)
        rec.entry.record_agency = row.owner_agency
    return row


def steps(ctx: audit.Context, alert_id: str) -> tuple[AlertRow, list[AlertStepRow]]:
    """The alert and its workflow history, oldest step first."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, alert_id) as rec:
        row: AlertRow = policy.load(rec.session, ctx.principal, AlertRow, alert_id)
        rec.entry.record_agency = row.owner_agency
        rec.entry.detail = {"history": True}
        found = history(rec.session, row.id)
    return row, found


def listing(
    ctx: audit.Context, query: Query | None = None, now: datetime | None = None
) -> list[AlertRow]:
    """One page of the alerts the caller may read."""
    query = query or Query()
    with audit.recorded(ctx, f"{RECORD_TYPE}.list", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = query.checked()
        condition = policy.visible(ctx.principal, AlertRow)
        if query.state is not None:
            condition = condition & _state(query.state, now)
        statement = (
            select(AlertRow)
            .where(condition)
            .order_by(AlertRow.updated_at.desc(), AlertRow.id)
            .limit(query.limit)
            .offset(query.offset)
        )
        rows = list(rec.session.scalars(statement))
        rec.entry.detail = {
            "state": query.state,
            "limit": query.limit,
            "offset": query.offset,
            "ids": [r.id for r in rows],
        }
    return rows


def _state(state: str, now: datetime | None) -> ColumnElement[bool]:
    if state != ACTIVE:
        return AlertRow.state == state
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return (AlertRow.state == ISSUED) & or_(AlertRow.expires.is_(None), AlertRow.expires > now)
