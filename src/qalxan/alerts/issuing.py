"""Issuing an approved alert: the moment it becomes a public message that never changes.

The issue sets ``sent`` (now, with the installation's UTC offset) on the approved document and
changes nothing else; checks it again (schema, CAP's rules for an issued alert, the desk's
rules; every error named), signs it when signing is configured, and stores those exact bytes.
An Update or Cancel replaces its original, which becomes ``superseded`` or ``cancelled`` in
the same transaction; so are the channel messages enqueued. A Public alert becomes public
(unclassified, TLP:CLEAR). Audited as ``alert.issue``.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.alerts import broadcast
from qalxan.alerts.authoring import checked
from qalxan.alerts.model import Alert
from qalxan.alerts.parse import parse_alert
from qalxan.alerts.rows import (
    APPROVED,
    CANCELLED,
    ISSUED,
    RECORD_TYPE,
    SUPERSEDED,
    actor_of,
    add_step,
    cap_now,
    require_state,
    stored_alert,
    summarise,
)
from qalxan.alerts.signing import load_signer, verify
from qalxan.alerts.tables import AlertRow
from qalxan.alerts.write import write_alert
from qalxan.errors import Conflict
from qalxan.settings import Settings

PUBLIC_CLASSIFICATION = "unclassified"
PUBLIC_TLP = "CLEAR"


def issue(
    ctx: audit.Context, settings: Settings, alert_id: str, now: datetime | None = None
) -> AlertRow:
    """Issue the approved alert ``alert_id`` (see the module)."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.issue", RECORD_TYPE, alert_id) as rec:
        row: AlertRow = policy.load(rec.session, ctx.principal, AlertRow, alert_id, "update")
        rec.session.refresh(row, with_for_update=True)  # two issues of one alert: one wins
        rec.entry.record_agency = row.owner_agency
        require_state(row, "issue", APPROVED)
        signer = load_signer(settings)
        alert = checked(replace(stored_alert(row), sent=cap_now(settings.timezone, now)))
        data = write_alert(alert)
        if signer is not None:
            data = signer.sign(data)
            verify(data, signer.cert)
        issued = parse_alert(data)
        if replace(issued, signatures=()) != alert:  # the stored bytes must say what was checked
            raise Conflict("alert: the issued document does not read back as the alert")
        actor = actor_of(ctx.principal)
        original = _replace_original(rec.session, row, issued, actor)
        summarise(row, issued, data)
        row.state = ISSUED
        row.issued_by = actor
        row.issued_at = (now or datetime.now(UTC)).astimezone(UTC)
        if issued.scope == "Public":
            row.classification = scheme().classification(PUBLIC_CLASSIFICATION).rank
            row.tlp = PUBLIC_TLP
        sha256 = hashlib.sha256(data).hexdigest()
        add_step(rec.session, row.id, "issue", actor, f"sha256:{sha256}")
        messages = broadcast.fan_out(rec.session, row, issued, settings)
        rec.entry.detail = {
            "identifier": issued.identifier,
            "sent": row.sent,
            "sha256": sha256,
            "signed": row.signed,
            "supersedes": original,
            "messages": [m.id for m in messages],
        }
    return row


def _replace_original(session: Session, row: AlertRow, issued: Alert, actor: str) -> str | None:
    """Mark the alert an Update or Cancel replaces; it must still be in force."""
    if row.supersedes is None:
        return None
    original = session.get(AlertRow, row.supersedes, with_for_update=True)
    if original is None or original.state != ISSUED:
        state = original.state if original else "missing"
        raise Conflict(
            f"supersedes: the alert this {issued.msg_type} replaces is {state}; make a new "
            "one from the alert now in force",
            field="supersedes",
        )
    original.state = CANCELLED if issued.msg_type == "Cancel" else SUPERSEDED
    original.updated_at = datetime.now(UTC)
    add_step(session, original.id, original.state[:16], actor, f"by {row.id}")
    return original.id
