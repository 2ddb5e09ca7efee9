"""What the operator does with the outbox: look at the messages, and send one again.

Listing shows no body and no secret: the console operator sees what went where and how it
fared. A retry is audited, since it makes the platform send something.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from qalxan.access import audit
from qalxan.errors import Conflict, InvalidInput, NotFound
from qalxan.outbox.tables import FAILED, PENDING, SENT, STATUSES, OutboxRow
from qalxan.store.engine import session_factory

RECORD_TYPE = "outbox_message"


def listing(engine: Engine, status: str | None = None, limit: int = 50) -> Sequence[OutboxRow]:
    """The newest ``limit`` messages, of ``status`` when given."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status: one of {', '.join(STATUSES)}", field="status")
    query = select(OutboxRow).order_by(OutboxRow.created_at.desc(), OutboxRow.id).limit(limit)
    if status is not None:
        query = query.where(OutboxRow.status == status)
    with session_factory(engine)() as session:
        return session.execute(query).scalars().all()


def retry(ctx: audit.Context, message_id: str, now: datetime | None = None) -> OutboxRow:
    """Make a given-up (``failed``) message due at once, its attempts counted afresh and its
    last error kept. Anything else is a :class:`Conflict`: a sent message is never sent again,
    and a pending one may be in a deliverer's hands at this moment."""
    now = now or datetime.now(UTC)
    with audit.recorded(ctx, "outbox.retry", RECORD_TYPE, message_id) as rec:
        row = rec.session.get(OutboxRow, message_id, with_for_update=True)
        if row is None:
            raise NotFound(f"no outbox message has the id {message_id!r}")
        rec.entry.detail = {"status": row.status, "attempts": row.attempts}
        if row.status == SENT:
            raise Conflict(f"message {message_id} was sent already; it is never sent twice")
        if row.status != FAILED:
            raise Conflict(f"message {message_id} is pending: it will be tried when due")
        row.status = PENDING
        row.attempts = 0
        row.not_before = now
    return row
