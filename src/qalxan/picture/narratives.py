"""The analysts' narrative of the National Threat Assessment, one per period.

A narrative is what the analysts make of a period (a month ``2026-10`` or an ISO week
``2026-W44``): the judgement the charts and tables cannot state. It is a protected record of
type ``assessment`` (written with ``assessment:create``, read with ``assessment:read``), with
a classification and an optional TLP marking like a risk assessment. The table is append-only
(the database refuses UPDATE and DELETE): each save is the period's next version, and a reader
gets the newest version *they may read*. The audit trail names the narratives written and
read, never what they say.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.errors import Conflict, required_text
from qalxan.picture import periods
from qalxan.picture.tables import NarrativeRow
from qalxan.store.ids import new_id

RECORD_TYPE = NarrativeRow.record_type
MAX_NARRATIVE = 20_000


def write(
    ctx: audit.Context,
    period: str,
    narrative: str,
    classification: str,
    tlp: str | None = None,
) -> NarrativeRow:
    """Store ``narrative`` as the next version of ``period``'s narrative. Bad input is
    :class:`InvalidInput` naming ``period``, ``narrative``, ``classification`` or ``tlp``;
    another analyst saving the same period at the same moment is :class:`Conflict` naming
    ``version`` (read the newest version and save again)."""
    principal = ctx.principal
    narrative_id = new_id()
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE, narrative_id) as rec:
        policy.require(principal, RECORD_TYPE, "create")
        label = periods.parse(period).label
        # Browsers send a textarea's line breaks as CRLF: stored as plain newlines, so that a
        # blank line always separates paragraphs.
        text = required_text(narrative.replace("\r\n", "\n"), "narrative", MAX_NARRATIVE)
        rank = scheme().classification(classification).rank
        marking = scheme().tlp_code(tlp)
        owner = policy.check_create(principal, RECORD_TYPE, None, rank)
        rec.entry.record_agency = owner
        row = NarrativeRow(
            id=narrative_id,
            owner_agency=owner,
            owner_unit=principal.unit_id,
            classification=rank,
            tlp=marking,
            period=label,
            version=_next_version(rec.session, label),
            narrative=text,
            written_by=principal.username[:200],
            written_at=datetime.now(UTC),
        )
        rec.session.add(row)
        try:
            rec.session.flush()
        except IntegrityError as exc:  # the unique (period, version): another analyst won
            raise Conflict(
                f"version: another narrative of {label} was stored as version {row.version} "
                "meanwhile; read it and save again",
                field="version",
            ) from exc
        rec.entry.detail = {
            "narrative": label,
            "version": row.version,
            "classification": classification,
            "tlp": row.tlp,
        }
    return row


def latest(ctx: audit.Context, period: str) -> NarrativeRow | None:
    """The newest version of ``period``'s narrative the caller may read, or None. Audited as
    ``assessment.read`` naming the narrative disclosed."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        label = periods.parse(period).label
        row = latest_in(rec.session, ctx.principal, label)
        rec.entry.record_id = row.id if row is not None else None
        rec.entry.detail = {"narrative": label, "version": row.version if row else None}
    return row


def latest_in(session: Session, principal: Principal, label: str) -> NarrativeRow | None:
    """:func:`latest` inside a transaction the caller audits; ``label`` already parsed."""
    query = (
        select(NarrativeRow)
        .where(NarrativeRow.period == label, policy.visible(principal, NarrativeRow))
        .order_by(NarrativeRow.version.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _next_version(session: Session, label: str) -> int:
    # Over every version, readable or not: the numbering is the period's, not the caller's.
    query = select(func.max(NarrativeRow.version)).where(NarrativeRow.period == label)
    return int(session.scalar(query) or 0) + 1
