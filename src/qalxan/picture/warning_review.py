"""Reading and reviewing early warnings: one warning with the agencies it was routed to, a
page of them, and an analyst of the owning agency acknowledging or dismissing an open one with
a note. Every read, list and change is audited; a warning the caller may not read answers like
one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from qalxan.access import audit, policy, sharing
from qalxan.access.markings import scheme
from qalxan.access.sessions import aware
from qalxan.access.tables import ShareRow
from qalxan.errors import Conflict, InvalidInput, required_text
from qalxan.intake import paging
from qalxan.picture import series
from qalxan.picture.tables import WarningRow
from qalxan.picture.warnings import OPEN, RECORD_TYPE

CLOSED = ("acknowledged", "dismissed")
STATUSES = (OPEN, *CLOSED)
NATIONAL_NAME = "national"
MAX_NOTE = 2000


def get(ctx: audit.Context, warning_id: str) -> tuple[WarningRow, list[ShareRow]]:
    """One warning the caller may read, with the agencies it was routed to (audited)."""
    with audit.recorded(ctx, "warning.read", RECORD_TYPE, warning_id) as rec:
        row: WarningRow = policy.load(rec.session, ctx.principal, WarningRow, warning_id)
        rec.entry.record_agency = row.owner_agency
        routed = [s for s in sharing.active(rec.session, RECORD_TYPE, row.id) if s.agency_id]
    return row, routed


def listing(
    ctx: audit.Context,
    status: str | None = None,
    threat: str | None = None,
    region: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> paging.Page[WarningRow]:
    """A page of the warnings the caller may read, newest first. ``region``: a region's code,
    or ``national`` (or ``""``) for the national warnings; None for all."""
    with audit.recorded(ctx, "warning.list", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = select(WarningRow).where(policy.visible(ctx.principal, WarningRow))
        if status is not None:
            query = query.where(WarningRow.status == _status(status, STATUSES))
        if threat:
            query = query.where(WarningRow.threat == threat)
        if region is not None:
            national = region.strip().lower() in ("", NATIONAL_NAME)
            query = query.where(
                WarningRow.region == (series.NATIONAL if national else region.strip().upper())
            )
        if cursor is not None:
            _cursor(cursor)
        query = paging.after(query, WarningRow.raised_at, WarningRow.id, cursor, limit)
        found = paging.page(
            list(rec.session.scalars(query)), limit, lambda r: r.raised_at, lambda r: r.id
        )
        rec.entry.detail = {"count": len(found.rows), "ids": [r.id for r in found.rows]}
    return found


def close(ctx: audit.Context, warning_id: str, status: str, note: str) -> WarningRow:
    """Acknowledge or dismiss an open warning, with the analyst's note (the owning agency's
    analysts: the policy's ``update``)."""
    with audit.recorded(ctx, "warning.close", RECORD_TYPE, warning_id) as rec:
        rec.entry.detail = {"status": status}
        row: WarningRow = policy.load(rec.session, ctx.principal, WarningRow, warning_id, "update")
        rec.entry.record_agency = row.owner_agency
        checked = _status(status, CLOSED)
        why = required_text(note, "note", MAX_NOTE, "say why the warning is closed")
        if row.status != OPEN:
            raise Conflict(f"status: the warning is {row.status} already", field="status")
        row.status = checked
        row.closed_by = ctx.principal.username
        row.closed_at = datetime.now(UTC)
        row.close_note = why
    return row


def _status(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidInput(f"status: one of {', '.join(allowed)}", field="status")
    return value


def _cursor(value: str) -> None:
    try:
        paging.parse(value)
    except InvalidInput:
        raise InvalidInput("cursor: not a cursor this service gave out", "cursor") from None


def out(row: WarningRow) -> dict[str, Any]:
    level = scheme().by_rank(row.classification)
    return {
        "id": row.id,
        "threat": row.threat,
        "region": row.region,
        "national": row.region == series.NATIONAL,
        "scale": row.scale,
        "period_start": row.period_start,
        "rule": row.rule,
        "method": row.method,
        "observed": row.observed,
        "expected": round(row.expected, 3),
        "periods": row.periods,
        "probability": row.probability,
        "explanation": row.explanation,
        "raised_at": aware(row.raised_at),
        "status": row.status,
        "closed_by": row.closed_by,
        "closed_at": row.closed_at and aware(row.closed_at),
        "close_note": row.close_note,
        "source": row.source,
        "owner_agency": row.owner_agency,
        "classification": level.code,
        "banner": level.banner,
        "tlp": row.tlp,
    }


def detail_out(row: WarningRow, routed: list[ShareRow]) -> dict[str, Any]:
    return {
        **out(row),
        "routed": [{"agency_id": s.agency_id, "reason": s.reason} for s in routed],
    }
