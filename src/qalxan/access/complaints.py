"""Complaints: filed, routed, tracked to resolution against deadlines. Everything is audited.

A complaint is a protected record owned by the agency it is routed to (see
:mod:`complaint_routing`); reads and changes go through the policy like any record's. Its
handling is a sequence of append-only events (``complaint_events``); the complaint row keeps
only the current status and deadlines, for listing and counting.

Filing follows its own rule, not :func:`policy.check_create`: complaints are about other
agencies, so a caller with ``complaint:create`` may file for any agency, and the owning agency
is decided by the routing, never chosen by the filer. The complainant's name and contact stay
in the complaint (which retention purges); the audit trail, which is kept for ever, records only
the reference, kind and routing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.complaint_routing import Routing, Subject, route
from qalxan.access.complaint_rules import complaint_rules
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.access.tables import AuditHeadRow, ComplaintEventRow, ComplaintRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, InvalidInput
from qalxan.store.ids import new_id

RECORD_TYPE = ComplaintRow.record_type
MAX_LIST = 500


@dataclass(frozen=True)
class Filing:
    kind: str
    complainant: str
    description: str
    contact: str | None = None
    subject: Subject = field(default_factory=Subject)


@dataclass(frozen=True)
class Filed:
    complaint: ComplaintRow
    routing: Routing


def check_file(principal: Principal) -> None:
    """The filing rule: ``complaint:create``, for any agency (see the module docstring)."""
    policy.require(principal, RECORD_TYPE, "create")


def file(
    ctx: audit.Context,
    doctrine: Doctrine,
    filing: Filing,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> Filed:
    """Record a complaint, route it, set its deadlines and give it a reference."""
    rules = complaint_rules()
    received = (now or datetime.now(UTC)).astimezone(UTC)
    with audit.recorded(ctx, "complaint.create", RECORD_TYPE) as rec:
        check_file(ctx.principal)
        kind = rules.kind(filing.kind)
        complainant, description = filing.complainant.strip(), filing.description.strip()
        if not complainant:
            raise InvalidInput("complainant: must not be empty", field="complainant")
        if not description:
            raise InvalidInput("description: must not be empty", field="description")
        session = rec.session
        routing = route(session, doctrine, kind, filing.subject)
        rec.entry.record_agency = routing.agency
        row = ComplaintRow(
            id=new_id(),
            owner_agency=routing.agency,
            owner_unit=routing.unit,
            classification=scheme().classification(rules.classification).rank,
            tlp=None,
            reference=_next_reference(session, received.astimezone(zone).year),
            kind=filing.kind,
            complainant=complainant,
            contact=(filing.contact or "").strip() or None,
            description=description,
            subject_type=filing.subject.subject_type,
            subject_id=filing.subject.subject_id,
            officer_id=filing.subject.officer_id,
            status=rules.initial,
            received_at=received,
            acknowledge_by=rules.deadline(received, kind.acknowledge_days, zone),
            respond_by=rules.deadline(received, kind.respond_days, zone),
            created_by=ctx.principal.username,
        )
        session.add(row)
        session.flush()
        note = f"routed to {routing.agency}: {routing.rule}" + (
            f" ({routing.warning})" if routing.warning else ""
        )
        session.add(_event(row.id, ctx.principal, rules.initial, note, received))
        rec.entry.record_id = row.id
        rec.entry.detail = {
            "reference": row.reference,
            "kind": row.kind,
            "routing": routing.to_dict(),
        }
    return Filed(row, routing)


def _next_reference(session: Session, year: int) -> str:
    """``C-2026-000123``: the next number of the year.

    Every audited write takes the audit head's row lock, so taking it first serialises
    reference allocation across processes on PostgreSQL (SQLite's write transaction is
    serialised already); the unique constraint stays as the last line of defence.
    """
    session.execute(
        select(AuditHeadRow.id).where(AuditHeadRow.id == audit.HEAD_ID).with_for_update()
    )
    prefix = f"{complaint_rules().reference_prefix}-{year}-"
    last = session.scalar(
        select(func.max(ComplaintRow.reference)).where(
            ComplaintRow.reference.startswith(prefix, autoescape=True)
        )
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _event(
    complaint_id: str, principal: Principal, status: str, note: str | None, at: datetime
) -> ComplaintEventRow:
    return ComplaintEventRow(
        complaint_id=complaint_id, at=at, actor=principal.username, status=status, note=note
    )


def get(ctx: audit.Context, complaint_id: str) -> tuple[ComplaintRow, list[ComplaintEventRow]]:
    """A complaint the caller may read, with its events (404 when out of reach)."""
    with audit.recorded(ctx, "complaint.read", RECORD_TYPE, complaint_id) as rec:
        row: ComplaintRow = policy.load(rec.session, ctx.principal, ComplaintRow, complaint_id)
        rec.entry.record_agency = row.owner_agency
        return row, events(rec.session, row.id)


def events(session: Session, complaint_id: str) -> list[ComplaintEventRow]:
    return list(
        session.scalars(
            select(ComplaintEventRow)
            .where(ComplaintEventRow.complaint_id == complaint_id)
            .order_by(ComplaintEventRow.id)
        )
    )


def listing(
    ctx: audit.Context,
    status: str | None = None,
    agency: str | None = None,
    limit: int = 100,
) -> list[ComplaintRow]:
    """The complaints the caller may read, newest first."""
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(f"limit: between 1 and {MAX_LIST}", field="limit")
    with audit.recorded(ctx, "complaint.list", RECORD_TYPE) as rec:
        rec.entry.detail = {"status": status, "agency": agency}
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = select(ComplaintRow).where(policy.visible(ctx.principal, ComplaintRow))
        if status is not None:
            complaint_rules().status(status)
            query = query.where(ComplaintRow.status == status)
        if agency is not None:
            query = query.where(ComplaintRow.owner_agency == agency)
        rows = list(
            rec.session.scalars(
                query.order_by(ComplaintRow.received_at.desc(), ComplaintRow.id).limit(limit)
            )
        )
        rec.entry.detail["returned"] = len(rows)
    return rows


def is_overdue(now: datetime) -> ColumnElement[bool]:
    """SQL: the complaint is open and past a deadline it has not met."""
    rules = complaint_rules()
    return and_(
        ComplaintRow.status.in_(rules.open_statuses),
        or_(
            ComplaintRow.respond_by < now,
            and_(
                ComplaintRow.status.in_(rules.unacknowledged_statuses),
                ComplaintRow.acknowledge_by < now,
            ),
        ),
    )


def missed(row: ComplaintRow, now: datetime) -> list[str]:
    """Which deadlines an open complaint has missed: ``acknowledge``, ``respond``."""
    rules = complaint_rules()
    if rules.status(row.status).final:
        return []
    found = []
    if row.status in rules.unacknowledged_statuses and _aware(row.acknowledge_by) < now:
        found.append("acknowledge")
    if _aware(row.respond_by) < now:
        found.append("respond")
    return found


def overdue(ctx: audit.Context, now: datetime | None = None) -> list[ComplaintRow]:
    """Open complaints the caller may read that are past a deadline, most overdue first."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with audit.recorded(ctx, "complaint.list", RECORD_TYPE) as rec:
        rec.entry.detail = {"overdue": True}
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        rows = list(
            rec.session.scalars(
                select(ComplaintRow)
                .where(policy.visible(ctx.principal, ComplaintRow), is_overdue(at))
                .order_by(ComplaintRow.acknowledge_by, ComplaintRow.respond_by)
                .limit(MAX_LIST)
            )
        )
        rec.entry.detail["returned"] = len(rows)
    return rows


def add_event(
    ctx: audit.Context,
    complaint_id: str,
    status: str,
    note: str | None,
    zone: ZoneInfo,
    extend: bool = False,
    now: datetime | None = None,
) -> tuple[ComplaintRow, ComplaintEventRow]:
    """Move a complaint to ``status`` (or add a note, or extend the deadline, in its status).

    Moving into a status needs that status's permission (``complaint:update`` or
    ``complaint:decide``) on the owning agency's complaint; a closing decision or an extension
    needs a note saying why.
    """
    rules = complaint_rules()
    at = (now or datetime.now(UTC)).astimezone(UTC)
    note = (note or "").strip() or None
    with audit.recorded(ctx, "complaint.update", RECORD_TYPE, complaint_id) as rec:
        target = rules.status(status)
        rec.entry.action = f"{RECORD_TYPE}.{target.permission}"
        row: ComplaintRow = policy.load(
            rec.session, ctx.principal, ComplaintRow, complaint_id, target.permission
        )
        rec.entry.record_agency = row.owner_agency
        current = rules.status(row.status)
        if current.final:
            raise Conflict(f"status: the complaint is closed ({row.status})", field="status")
        if status != row.status and status not in current.next:
            allowed = ", ".join(current.next)
            raise Conflict(
                f"status: a {row.status} complaint can become {allowed}, not {status}",
                field="status",
            )
        if note is None and (target.final or extend):
            raise InvalidInput("note: say why (a decision or extension needs a reason)", "note")
        detail: dict[str, object] = {"from": row.status, "to": status}
        if extend:
            kind = rules.kind(row.kind)
            extended = rules.deadline(_aware(row.received_at), kind.extended_respond_days, zone)
            if _aware(row.respond_by) >= extended:
                raise Conflict("extend: the deadline has been extended already", field="extend")
            row.respond_by = extended
            detail["respond_by"] = extended
        row.status = status
        if target.final:
            row.closed_at, row.outcome = at, status
        event = _event(row.id, ctx.principal, status, note, at)
        rec.session.add(event)
        rec.entry.detail = detail
    return row, event


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)
