"""What every step of the desk does to an alert's row: its states, its history, its summary.

States of an authored alert::

    draft -> submitted -> approved -> issued -> superseded | cancelled
      ^          |            |
      +-- rejected <----------+        (an edit in any state before issued returns to draft)

``received`` is an alert read from an external feed; the desk never changes it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access.principal import Principal
from qalxan.alerts.areas import bounding_box
from qalxan.alerts.authoring import expires_of
from qalxan.alerts.model import Alert
from qalxan.alerts.parse import parse_alert
from qalxan.alerts.tables import AlertRow, AlertStepRow
from qalxan.errors import Conflict

RECORD_TYPE = AlertRow.record_type
DRAFT, SUBMITTED, APPROVED, REJECTED = "draft", "submitted", "approved", "rejected"
ISSUED, SUPERSEDED, CANCELLED, RECEIVED = "issued", "superseded", "cancelled", "received"
STATES = (DRAFT, SUBMITTED, APPROVED, REJECTED, ISSUED, SUPERSEDED, CANCELLED, RECEIVED)
EDITABLE = (DRAFT, SUBMITTED, APPROVED, REJECTED)
WAS_ISSUED = (ISSUED, SUPERSEDED, CANCELLED)
AUTHORED = "authored"
# Steps whose actor wrote the content: none of them may approve it (four eyes).
WRITING_STEPS = ("create", "edit")


def actor_of(principal: Principal) -> str:
    """Who acted, as stored in the history and the ``*_by`` columns: the account's id."""
    return principal.user_id or principal.username


def add_step(
    session: Session, alert_id: str, step: str, actor: str, note: str | None = None
) -> AlertStepRow:
    row = AlertStepRow(alert_id=alert_id, step=step, actor=actor, note=note, at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return row


def authors(session: Session, alert_id: str) -> set[str]:
    """Everyone who wrote the alert's content, from its history."""
    query = select(AlertStepRow.actor).where(
        AlertStepRow.alert_id == alert_id, AlertStepRow.step.in_(WRITING_STEPS)
    )
    return set(session.scalars(query))


def history(session: Session, alert_id: str) -> list[AlertStepRow]:
    query = select(AlertStepRow).where(AlertStepRow.alert_id == alert_id)
    return list(session.scalars(query.order_by(AlertStepRow.id)))


def require_state(row: AlertRow, doing: str, *states: str) -> None:
    if row.state not in states:
        raise Conflict(
            f"state: alert {row.id} is {row.state}; {doing} needs it {' or '.join(states)}",
            field="state",
        )


def cap_now(zone_name: str, now: datetime | None = None) -> datetime:
    """A CAP ``sent`` time: whole seconds, with the installation's UTC offset in force."""
    at = (now or datetime.now(UTC)).astimezone(ZoneInfo(zone_name)).replace(microsecond=0)
    offset = at.utcoffset() or timedelta(0)
    return at.replace(tzinfo=timezone(offset) if offset else UTC)


def new_identifier(sender: str, at: datetime) -> str:
    """``<sender>.<YYYYMMDD>.<random>``: unique without asking the database, and free of the
    characters CAP forbids in identifiers."""
    return f"{sender}.{at:%Y%m%d}.{secrets.token_hex(6)}"


def summarise(row: AlertRow, alert: Alert, xml: bytes) -> None:
    """Put the document and what lists and the feed show of it on the row."""
    first = alert.infos[0]
    row.identifier = alert.identifier
    row.sender = alert.sender
    row.cap_status = alert.status
    row.msg_type = alert.msg_type
    row.scope = alert.scope
    row.xml = xml.decode("utf-8")
    row.event = first.event[:200]
    row.headline = first.headline[:300] if first.headline else None
    row.severity = first.severity
    row.urgency = first.urgency
    row.certainty = first.certainty
    row.area_desc = "; ".join(dict.fromkeys(area.desc for area in first.areas)) or None
    box = bounding_box(alert)
    row.min_lat, row.min_lon, row.max_lat, row.max_lon = box or (None, None, None, None)
    row.sent = alert.sent.astimezone(UTC)
    expires = expires_of(alert)
    row.expires = expires.astimezone(UTC) if expires else None
    row.signed = bool(alert.signatures)
    row.updated_at = datetime.now(UTC)


def stored_alert(row: AlertRow) -> Alert:
    """The alert of the row's document, as stored."""
    return parse_alert(row.xml.encode("utf-8"))
