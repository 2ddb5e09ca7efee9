"""The live feed: changes to incidents and cases, and early warnings, for open dashboards.

Rows are written in the same transaction as the change, so a dashboard never hears of a change
that was rolled back. A reader only receives rows about records it may read (the policy's SQL
condition), and each batch it receives is audited with the records it disclosed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union_all

from qalxan.access import audit, policy
from qalxan.access.sessions import aware
from qalxan.cases.tables import CaseRow
from qalxan.errors import Forbidden
from qalxan.intake.tables import FeedRow, IncidentRow
from qalxan.picture.tables import WarningRow
from qalxan.store.engine import session_factory

BATCH = 200


def check_reader(ctx: audit.Context) -> None:
    """Refuse a reader who may read neither incidents nor cases (403, like any route)."""
    if not any(ctx.principal.scope(m.record_type, policy.READ) for m in (IncidentRow, CaseRow)):
        raise Forbidden("reading the live feed needs incident:read or case:read")


# The largest id of the feed's integer column.
MAX_ID = 2**31 - 1


def latest_id(ctx: audit.Context) -> int:
    """Where a new reader starts: after everything already written."""
    with session_factory(ctx.trail.engine)() as session:
        found = session.scalar(select(FeedRow.id).order_by(FeedRow.id.desc()).limit(1))
    return found or 0


def since(ctx: audit.Context, after: int) -> list[dict[str, Any]]:
    """Feed rows after ``after`` about records the caller may read, oldest first."""
    if after >= MAX_ID:
        # Past any id the column can hold (PostgreSQL refuses to compare with a larger one).
        return []
    principal = ctx.principal
    parts = []
    for model in (IncidentRow, CaseRow, WarningRow):
        if principal.scope(model.record_type, policy.READ) is None:
            continue
        parts.append(
            select(FeedRow.id)
            .join(model, model.id == FeedRow.record_id)
            .where(
                FeedRow.id > after,
                FeedRow.record_type == model.record_type,
                policy.visible(principal, model),
            )
        )
    if not parts:
        return []
    with session_factory(ctx.trail.engine)() as session:
        ids = union_all(*parts).subquery()
        rows = list(
            session.scalars(
                select(FeedRow).where(FeedRow.id.in_(select(ids))).order_by(FeedRow.id).limit(BATCH)
            )
        )
    if rows:
        audit.record(
            ctx,
            audit.Entry(
                "feed.read",
                detail={"records": sorted({f"{r.record_type}:{r.record_id}" for r in rows})[:200]},
            ),
        )
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "record_type": r.record_type,
            "record_id": r.record_id,
            "at": aware(r.at).isoformat(),
            "summary": r.summary,
        }
        for r in rows
    ]
