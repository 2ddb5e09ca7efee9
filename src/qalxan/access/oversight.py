"""What oversight sees: who accessed what and how often, and the aggregate figures per agency.

Every figure is a SQL aggregate over ``audit_log`` (or ``complaints``): nothing loads the trail
row by row, so the cost stays with the database however long the trail grows. No figure shows
a record's contents. Each view needs ``oversight:read`` and is itself audited
(``oversight.read`` with the view's name and period).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from qalxan.access import audit
from qalxan.access.complaint_rules import complaint_rules
from qalxan.access.complaints import is_overdue
from qalxan.access.oversight_rules import rules
from qalxan.access.periods import Period
from qalxan.access.permits import require_permission
from qalxan.access.tables import AuditRow, ComplaintRow
from qalxan.access.trail_query import csv_text

PERMISSION = "oversight:read"
CSV_FIELDS = [
    "level",
    "agency",
    "user_id",
    "username",
    "record_type",
    "reads",
    "changes",
    "denied",
    "other_agency",
    "total",
]


@dataclass
class Counts:
    reads: int = 0
    changes: int = 0
    denied: int = 0
    other_agency: int = 0
    total: int = 0


@dataclass
class AgencyAccess(Counts):
    agency: str | None = None
    users: int = 0


@dataclass
class UserAccess(Counts):
    user_id: str | None = None
    username: str = ""
    agency: str | None = None
    last_at: str | None = None


@dataclass
class TypeAccess(Counts):
    agency: str | None = None
    record_type: str | None = None


@dataclass
class Access:
    """Access statistics of a period: per agency, per user, per agency and record type."""

    period: Period
    by_agency: list[AgencyAccess] = field(default_factory=list)
    by_user: list[UserAccess] = field(default_factory=list)
    by_record_type: list[TypeAccess] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.to_dict(),
            "by_agency": [asdict(a) for a in self.by_agency],
            "by_user": [asdict(u) for u in self.by_user],
            "by_record_type": [asdict(t) for t in self.by_record_type],
        }


@contextmanager
def oversight_view(ctx: audit.Context, view: str, period: Period) -> Iterator[audit.Recording]:
    """A read of an oversight view: permission checked, the read audited with its period."""
    with audit.recorded(ctx, "oversight.read") as rec:
        rec.entry.detail = {"view": view, **period.to_dict()}
        require_permission(ctx.principal, PERMISSION)
        yield rec


def in_period(period: Period) -> ColumnElement[bool]:
    return and_(AuditRow.at >= period.since, AuditRow.at < period.until)


def _counts() -> list[Any]:
    """The shared aggregate columns: reads, changes, denied, other agency's records, total."""
    ok = AuditRow.outcome == "success"
    other = and_(
        ok,
        AuditRow.record_agency.is_not(None),
        AuditRow.actor_agency.is_not(None),
        AuditRow.record_agency != AuditRow.actor_agency,
    )
    return [
        func.sum(case((and_(ok, rules().is_read()), 1), else_=0)).label("reads"),
        func.sum(case((and_(ok, rules().is_change()), 1), else_=0)).label("changes"),
        func.sum(case((AuditRow.outcome == "denied", 1), else_=0)).label("denied"),
        func.sum(case((other, 1), else_=0)).label("other_agency"),
        func.count().label("total"),
    ]


def _numbers(row: Any) -> dict[str, int]:
    return {k: int(getattr(row, k) or 0) for k in ("reads", "changes", "denied", "other_agency")}


def access_stats(session: Session, period: Period) -> Access:
    """Per agency, per user and per agency and record type (no permission check: see
    :func:`access`)."""
    where = in_period(period)
    stats = Access(period)
    agencies = session.execute(
        select(AuditRow.actor_agency, func.count(distinct(AuditRow.actor_id)).label("users"))
        .add_columns(*_counts())
        .where(where)
        .group_by(AuditRow.actor_agency)
        .order_by(AuditRow.actor_agency)
    ).all()
    stats.by_agency = [
        AgencyAccess(agency=r.actor_agency, users=int(r.users), total=int(r.total), **_numbers(r))
        for r in agencies
    ]
    users = session.execute(
        select(
            AuditRow.actor_id,
            AuditRow.actor_name,
            AuditRow.actor_agency,
            func.max(AuditRow.at).label("last_at"),
        )
        .add_columns(*_counts())
        .where(where)
        .group_by(AuditRow.actor_id, AuditRow.actor_name, AuditRow.actor_agency)
        .order_by(AuditRow.actor_agency, AuditRow.actor_name)
    ).all()
    stats.by_user = [
        UserAccess(
            user_id=r.actor_id,
            username=r.actor_name,
            agency=r.actor_agency,
            last_at=audit.timestamp(r.last_at),
            total=int(r.total),
            **_numbers(r),
        )
        for r in users
    ]
    types = session.execute(
        select(AuditRow.actor_agency, AuditRow.record_type)
        .add_columns(*_counts())
        .where(where, AuditRow.record_type.is_not(None))
        .group_by(AuditRow.actor_agency, AuditRow.record_type)
        .order_by(AuditRow.actor_agency, AuditRow.record_type)
    ).all()
    stats.by_record_type = [
        TypeAccess(
            agency=r.actor_agency, record_type=r.record_type, total=int(r.total), **_numbers(r)
        )
        for r in types
    ]
    return stats


def access(ctx: audit.Context, period: Period, view: str = "access") -> Access:
    with oversight_view(ctx, view, period) as rec:
        return access_stats(rec.session, period)


def access_csv(stats: Access) -> str:
    """Per-agency and per-user statistics as one CSV table (``level`` says which)."""
    rows: list[list[Any]] = [CSV_FIELDS]
    for a in stats.by_agency:
        rows.append(["agency", a.agency, "", "", "", *_cells(a)])
    for t in stats.by_record_type:
        rows.append(["record_type", t.agency, "", "", t.record_type, *_cells(t)])
    for u in stats.by_user:
        rows.append(["user", u.agency, u.user_id, u.username, "", *_cells(u)])
    return csv_text(rows)


def _cells(c: Counts) -> list[int]:
    return [c.reads, c.changes, c.denied, c.other_agency, c.total]


def summary_figures(session: Session, period: Period, now: datetime) -> dict[str, Any]:
    """Screening dispositions, cases opened and closed, complaints open and overdue, per agency.

    Screening and case actions are counted under the agency of the record (or, failing that,
    of the actor); complaints under the agency they are routed to.
    """
    names = rules().summary
    agency = func.coalesce(AuditRow.record_agency, AuditRow.actor_agency).label("agency")
    ok = and_(in_period(period), AuditRow.outcome == "success")
    disposition = AuditRow.detail[names.screening_disposition_key].as_string().label("value")
    screening: dict[str, dict[str, int]] = {}
    for row in session.execute(
        select(agency, disposition, func.count().label("n"))
        .where(ok, AuditRow.action == names.screening_decision)
        .group_by(agency, disposition)
    ):
        screening.setdefault(row.agency or "", {})[row.value or "unknown"] = int(row.n)
    cases: dict[str, dict[str, int]] = {}
    opened, closed = names.case_opened, names.case_closed
    for row in session.execute(
        select(agency, AuditRow.action, func.count().label("n"))
        .where(ok, AuditRow.action.in_([opened, closed]))
        .group_by(agency, AuditRow.action)
    ):
        counts = cases.setdefault(row.agency or "", {"opened": 0, "closed": 0})
        counts["opened" if row.action == opened else "closed"] += int(row.n)
    return {
        "period": period.to_dict(),
        "screening_dispositions": _sorted(screening),
        "cases": _sorted(cases),
        "complaints": _sorted(complaint_figures(session, period, now)),
    }


def complaint_figures(session: Session, period: Period, now: datetime) -> dict[str, dict[str, int]]:
    open_ = ComplaintRow.status.in_(complaint_rules().open_statuses)
    overdue = is_overdue(now.astimezone(UTC))
    received = and_(
        ComplaintRow.received_at >= period.since, ComplaintRow.received_at < period.until
    )
    closed = and_(ComplaintRow.closed_at >= period.since, ComplaintRow.closed_at < period.until)
    found: dict[str, dict[str, int]] = {}
    for row in session.execute(
        select(
            ComplaintRow.owner_agency,
            func.sum(case((open_, 1), else_=0)).label("open"),
            func.sum(case((overdue, 1), else_=0)).label("overdue"),
            func.sum(case((received, 1), else_=0)).label("received"),
            func.sum(case((closed, 1), else_=0)).label("closed"),
        ).group_by(ComplaintRow.owner_agency)
    ):
        found[row.owner_agency] = {
            k: int(getattr(row, k) or 0) for k in ("open", "overdue", "received", "closed")
        }
    return found


def _sorted(by_agency: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    return [{"agency": a or None, **c} for a, c in sorted(by_agency.items())]


def summary(ctx: audit.Context, period: Period, now: datetime | None = None) -> dict[str, Any]:
    with oversight_view(ctx, "summary", period) as rec:
        return summary_figures(rec.session, period, now or datetime.now(UTC))
