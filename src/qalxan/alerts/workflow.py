"""The second pair of eyes: submitting a draft, approving or rejecting it.

Four eyes: nobody who wrote an alert's content (created or edited it, in its history) may
approve it. The approver approves the document they read: given the SHA-256 of the XML they
were shown, the approval is refused when the draft has changed since. Every call is audited
(``alert.submit``, ``alert.approve``, ``alert.reject``) and written to the alert's history.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from qalxan.access import audit, policy
from qalxan.alerts.rows import (
    APPROVED,
    DRAFT,
    RECORD_TYPE,
    REJECTED,
    SUBMITTED,
    actor_of,
    add_step,
    authors,
    require_state,
)
from qalxan.alerts.tables import AlertRow
from qalxan.errors import Conflict, Forbidden, required_text

MAX_REASON = 2000


def digest(row: AlertRow) -> str:
    """The SHA-256 of the alert's document as stored: what an approver confirms having read."""
    return hashlib.sha256(row.xml.encode("utf-8")).hexdigest()


def submit(ctx: audit.Context, alert_id: str, note: str | None = None) -> AlertRow:
    """Put a draft (or a rejected alert) in the approval queue."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.submit", RECORD_TYPE, alert_id) as rec:
        row: AlertRow = policy.load(rec.session, ctx.principal, AlertRow, alert_id, "update")
        rec.entry.record_agency = row.owner_agency
        require_state(row, "submitting", DRAFT, REJECTED)
        row.state = SUBMITTED
        row.updated_at = datetime.now(UTC)
        add_step(rec.session, row.id, "submit", actor_of(ctx.principal), _note(note))
        rec.entry.detail = {"state": SUBMITTED}
    return row


def approve(ctx: audit.Context, alert_id: str, seen: str | None = None) -> AlertRow:
    """Approve a submitted alert for issue. ``seen``: the :func:`digest` of the document the
    approver read; refused (Conflict) when the document is no longer that one."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.approve", RECORD_TYPE, alert_id) as rec:
        row: AlertRow = policy.load(rec.session, ctx.principal, AlertRow, alert_id, "approve")
        rec.entry.record_agency = row.owner_agency
        require_state(row, "approval", SUBMITTED)
        actor = actor_of(ctx.principal)
        if actor in authors(rec.session, row.id):
            raise Forbidden("four eyes: you wrote this alert; someone who did not must approve it")
        current = digest(row)
        if seen is not None and seen.strip().lower() != current:
            raise Conflict(
                "seen: the alert changed after you read it; read it again before approving",
                field="seen",
            )
        row.state = APPROVED
        row.approved_by = actor
        row.approved_at = row.updated_at = datetime.now(UTC)
        add_step(rec.session, row.id, "approve", actor, f"sha256:{current}")
        rec.entry.detail = {"state": APPROVED, "sha256": current}
    return row


def reject(ctx: audit.Context, alert_id: str, reason: str) -> AlertRow:
    """Send a submitted or approved (not yet issued) alert back to its authors, saying why."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.reject", RECORD_TYPE, alert_id) as rec:
        text = required_text(reason, "reason", MAX_REASON)
        row: AlertRow = policy.load(rec.session, ctx.principal, AlertRow, alert_id, "approve")
        rec.entry.record_agency = row.owner_agency
        require_state(row, "rejection", SUBMITTED, APPROVED)
        row.state = REJECTED
        row.approved_by = row.approved_at = None
        row.updated_at = datetime.now(UTC)
        add_step(rec.session, row.id, "reject", actor_of(ctx.principal), text)
        rec.entry.detail = {"state": REJECTED, "reason": text}
    return row


def _note(note: str | None) -> str | None:
    return required_text(note, "note", MAX_REASON) if note and note.strip() else None
