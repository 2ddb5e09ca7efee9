"""Many bulletins at once: list, search, count, export. Every call is audited.

Each query filters in SQL with :func:`qalxan.access.policy.visible`, so a bulletin the caller
may not see is never loaded, counted or exported. The audit record of a list or an export names
the bulletins it disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.bulletins.export import to_csv
from qalxan.bulletins.tables import BulletinRow
from qalxan.errors import InvalidInput

RECORD_TYPE = BulletinRow.record_type
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
MAX_QUERY = 200
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class Query:
    """A text query (case-insensitive, in title or body) and a page."""

    q: str | None = None
    limit: int = 50
    offset: int = 0

    def checked(self) -> Query:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}", field="limit")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise InvalidInput(f"offset: between 0 and {MAX_OFFSET}", field="offset")
        return Query(_text(self.q), self.limit, self.offset)


def listing(ctx: audit.Context, query: Query | None = None) -> list[BulletinRow]:
    """One page of the bulletins the caller may read, newest first."""
    query = query or Query()
    action = "search" if (query.q or "").strip() else "list"
    with audit.recorded(ctx, f"{RECORD_TYPE}.{action}", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = query.checked()
        rows = list(
            rec.session.scalars(
                _ordered(_matching(ctx.principal, query.q)).limit(query.limit).offset(query.offset)
            )
        )
        rec.entry.detail = {
            "q": query.q,
            "limit": query.limit,
            "offset": query.offset,
            "count": len(rows),
            "ids": [r.id for r in rows],
        }
    return rows


def count(ctx: audit.Context, q: str | None = None) -> int:
    """How many bulletins the caller may read (matching ``q``)."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.count", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        text = _text(q)
        condition = _condition(ctx.principal, text)
        total = int(
            rec.session.scalar(select(func.count()).select_from(BulletinRow).where(condition)) or 0
        )
        rec.entry.detail = {"q": text, "count": total}
    return total


def export(ctx: audit.Context, q: str | None = None) -> str:
    """Every bulletin the caller may read (matching ``q``) as CSV; needs ``bulletin:export``."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.export", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, "export")
        text = _text(q)
        rows = list(
            rec.session.scalars(_ordered(_matching(ctx.principal, text)).limit(EXPORT_LIMIT + 1))
        )
        if len(rows) > EXPORT_LIMIT:
            # Refused rather than cut short: a silently partial export misleads.
            raise InvalidInput(
                f"q: more than {EXPORT_LIMIT} bulletins match; narrow the query", field="q"
            )
        rec.entry.detail = {"q": text, "count": len(rows), "ids": [r.id for r in rows]}
    return to_csv(rows)


def _text(q: str | None) -> str | None:
    text = (q or "").strip()
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"q: at most {MAX_QUERY} characters", field="q")
    return text or None


def _condition(principal: Principal, q: str | None) -> ColumnElement[bool]:
    condition = policy.visible(principal, BulletinRow)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        condition = condition & or_(
            BulletinRow.title.ilike(pattern, escape="\\"),
            BulletinRow.body.ilike(pattern, escape="\\"),
        )
    return condition


def _matching(principal: Principal, q: str | None) -> Select[BulletinRow]:
    return select(BulletinRow).where(_condition(principal, q))


def _ordered(query: Select[BulletinRow]) -> Select[BulletinRow]:
    return query.order_by(BulletinRow.created_at.desc(), BulletinRow.id)
