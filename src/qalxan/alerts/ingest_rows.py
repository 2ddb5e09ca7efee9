"""Received alerts as rows: stored once per CAP key, never edited, and marked when their
sender updates or cancels them.

A received alert is a protected record (``alert``) of the importing agency, unclassified and
TLP CLEAR (AMBER when its scope is not Public), in state ``received``, with ``origin`` the feed
or file it came from. Its history starts with a ``receive`` step. An Update from the same sender
marks each received alert it references ``superseded``, a Cancel marks them ``cancelled``; the
new alert's ``supersedes`` names the latest of them. A sender cannot touch another sender's
alerts, nor this platform's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from qalxan.alerts.ingest_sources import Received
from qalxan.alerts.model import Alert
from qalxan.alerts.rows import AUTHORED, CANCELLED, RECEIVED, SUPERSEDED, summarise
from qalxan.alerts.tables import AlertRow, AlertStepRow
from qalxan.errors import InvalidInput
from qalxan.store.ids import new_id

RECEIVE, SUPERSEDE, CANCEL = "receive", "supersede", "cancel"
UNKNOWN = "Unknown"  # CAP's code for an unknown urgency, severity and certainty
MAX_KEY = 200  # the sender and identifier columns
MAX_ORIGIN = 80
KEYS_PER_QUERY = 400


@dataclass(frozen=True)
class Owner:
    """Who receives: the owning agency, the actor in the history, the feed or file."""

    agency: str
    actor: str
    origin: str


@dataclass
class Marked:
    superseded: int = 0
    cancelled: int = 0


def stored_keys(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which ``(sender, identifier)`` keys are stored already."""
    wanted = list(dict.fromkeys(keys))
    found: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        part = wanted[start : start + KEYS_PER_QUERY]
        query = select(AlertRow.sender, AlertRow.identifier).where(
            tuple_(AlertRow.sender, AlertRow.identifier).in_(part)
        )
        found.update((sender, identifier) for sender, identifier in session.execute(query))
    return found


def check_key(alert: Alert) -> None:
    for name, value in (("sender", alert.sender), ("identifier", alert.identifier)):
        if len(value) > MAX_KEY:
            raise InvalidInput(f"alert/{name}: longer than the {MAX_KEY} characters kept", name)


def received_row(item: Received, owner: Owner, incident_id: str | None, now: datetime) -> AlertRow:
    alert = item.alert
    row = AlertRow(
        id=new_id(),
        owner_agency=owner.agency,
        owner_unit=None,
        classification=0,
        tlp="CLEAR" if alert.scope == "Public" else "AMBER",
        state=RECEIVED,
        origin=owner.origin[:MAX_ORIGIN],
        incident_id=incident_id,
        created_by=owner.actor,
        created_at=now,
    )
    if alert.infos:
        summarise(row, alert, item.xml)
    else:  # a Cancel or Ack may carry no info block: nothing to summarise but the header
        _header(row, alert, item.xml)
    row.updated_at = now
    return row


def _header(row: AlertRow, alert: Alert, xml: bytes) -> None:
    row.identifier, row.sender = alert.identifier, alert.sender
    row.cap_status, row.msg_type, row.scope = alert.status, alert.msg_type, alert.scope
    row.xml = xml.decode("utf-8")
    row.event, row.headline, row.area_desc = "", None, None
    row.severity = row.urgency = row.certainty = UNKNOWN
    row.sent = alert.sent.astimezone(UTC)
    row.expires = None
    row.signed = bool(alert.signatures)


def store(session: Session, rows: list[tuple[AlertRow, Alert]], owner: Owner) -> Marked:
    """Add the rows with their ``receive`` step, then apply their updates and cancels."""
    now = datetime.now(UTC)
    session.add_all(row for row, _ in rows)
    session.add_all(
        AlertStepRow(alert_id=row.id, step=RECEIVE, actor=owner.actor, at=now, note=owner.origin)
        for row, _ in rows
    )
    session.flush()
    return _references(session, rows, owner.actor, now)


def _references(
    session: Session, rows: list[tuple[AlertRow, Alert]], actor: str, now: datetime
) -> Marked:
    marked = Marked()
    changing = [(row, alert) for row, alert in rows if alert.msg_type in ("Update", "Cancel")]
    if not changing:
        return marked
    wanted = {
        (ref.sender, ref.identifier)
        for _, alert in changing
        for ref in alert.reference_list()
        if ref.sender == alert.sender
    }
    targets = _received(session, wanted)
    for row, alert in sorted(changing, key=lambda pair: pair[1].sent):
        found = [
            targets[(ref.sender, ref.identifier)]
            for ref in alert.reference_list()
            if ref.sender == alert.sender and (ref.sender, ref.identifier) in targets
        ]
        found = [target for target in found if target.id != row.id]
        if not found:
            continue
        row.supersedes = max(found, key=lambda t: t.sent or now).id
        for target in found:
            step = _mark(target, alert.msg_type, now)
            if step is not None:
                marked.superseded += step == SUPERSEDE
                marked.cancelled += step == CANCEL
                note = f"by {alert.identifier}"
                session.add(
                    AlertStepRow(alert_id=target.id, step=step, actor=actor, at=now, note=note)
                )
    session.flush()
    return marked


def _received(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], AlertRow]:
    found: dict[tuple[str, str], AlertRow] = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        query = select(AlertRow).where(
            tuple_(AlertRow.sender, AlertRow.identifier).in_(
                wanted[start : start + KEYS_PER_QUERY]
            ),
            AlertRow.state.in_((RECEIVED, SUPERSEDED)),
            AlertRow.origin != AUTHORED,
        )
        found.update({(row.sender, row.identifier): row for row in session.scalars(query)})
    return found


def _mark(target: AlertRow, msg_type: str, now: datetime) -> str | None:
    if msg_type == "Cancel":
        target.state = CANCELLED
    elif target.state == RECEIVED:
        target.state = SUPERSEDED
    else:
        return None
    target.updated_at = now
    return CANCEL if msg_type == "Cancel" else SUPERSEDE
