"""Working an incident as a case: acknowledging it (which opens the agency's case), moving the
case through its workflow, assigning it and commenting on it.

Every change is an append-only ``case_events`` row (the timeline) and an audit record; the
case row only keeps the current state for lists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.access.tables import UserRow
from qalxan.cases.tables import CaseEventRow, CaseRow
from qalxan.cases.workflow import workflow
from qalxan.errors import Forbidden, InvalidInput, required_text
from qalxan.intake.tables import FeedRow, IncidentEventRow, IncidentRow, RoutingRow
from qalxan.store.ids import new_id

RECORD_TYPE = CaseRow.record_type
MAX_COMMENT = 10_000


def acknowledge(ctx: audit.Context, incident_id: str) -> CaseRow:
    """The caller's agency takes on an incident routed to it: the routing is acknowledged and
    the agency's case opened (or the existing one returned)."""
    principal = ctx.principal
    with audit.recorded(ctx, f"{RECORD_TYPE}.open", RECORD_TYPE) as rec:
        session = rec.session
        policy.require(principal, RECORD_TYPE, "create")
        incident: IncidentRow = policy.load(session, principal, IncidentRow, incident_id)
        agency = principal.agency_id
        route = session.scalar(
            select(RoutingRow).where(
                RoutingRow.incident_id == incident_id, RoutingRow.agency_id == agency
            )
        )
        if route is None or agency is None:
            raise Forbidden(
                "the incident is not routed to your agency; its lead agency can ask for your "
                "assistance"
            )
        now = datetime.now(UTC)
        if route.acknowledged_at is None:
            route.acknowledged_at = now
            route.acknowledged_by = principal.username
            session.add(
                IncidentEventRow(
                    incident_id=incident_id,
                    kind="acknowledged",
                    detail={"agency": agency, "escalation_level": route.escalation_level},
                    actor=principal.username,
                    at=now,
                )
            )
        case = session.scalar(
            select(CaseRow).where(
                CaseRow.incident_id == incident_id, CaseRow.owner_agency == agency
            )
        )
        if case is None:
            case = CaseRow(
                id=new_id(),
                owner_agency=agency,
                owner_unit=principal.unit_id,
                classification=incident.classification,
                tlp=None,  # a case is the agency's own work
                incident_id=incident_id,
                title=incident.title,
                status=workflow().initial,
                priority=incident.severity,
                opened_by=principal.username,
                opened_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            add_event(session, case, principal, "opened", {"role": route.role}, now)
        rec.entry.record_id = case.id
        rec.entry.record_agency = agency
        rec.entry.detail = {"incident": incident_id}
    return case


def change_status(
    ctx: audit.Context, case_id: str, status: str, reason: str | None = None
) -> CaseRow:
    with audit.recorded(ctx, f"{RECORD_TYPE}.status", RECORD_TYPE, case_id) as rec:
        case = load_case(ctx, rec, case_id, "update")
        before = case.status
        workflow().check(before, status, reason)
        now = datetime.now(UTC)
        case.status = status
        case.updated_at = now
        case.closed_at = now if status in workflow().closed else None
        detail = {"from": before, "to": status, "reason": (reason or "").strip() or None}
        add_event(rec.session, case, ctx.principal, "status", detail, now)
        rec.entry.detail = detail
    return case


def assign(ctx: audit.Context, case_id: str, user_id: str | None) -> CaseRow:
    """Give the case to a member of its agency (``None`` takes it back to the queue)."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.assign", RECORD_TYPE, case_id) as rec:
        case = load_case(ctx, rec, case_id, "update")
        if user_id is not None:
            check_member(rec.session, case.owner_agency, user_id, "assignee_id")
        now = datetime.now(UTC)
        detail = {"from": case.assignee_id, "to": user_id}
        case.assignee_id = user_id
        case.updated_at = now
        add_event(rec.session, case, ctx.principal, "assigned", detail, now)
        rec.entry.detail = detail
    return case


def comment(ctx: audit.Context, case_id: str, text: str) -> CaseEventRow:
    with audit.recorded(ctx, f"{RECORD_TYPE}.comment", RECORD_TYPE, case_id) as rec:
        case = load_case(ctx, rec, case_id, "update")
        body = required_text(text, "text", MAX_COMMENT)
        now = datetime.now(UTC)
        case.updated_at = now
        event = add_event(rec.session, case, ctx.principal, "comment", {"text": body}, now)
    return event


def check_member(session: Session, agency_id: str, user_id: str, field: str) -> UserRow:
    user = session.get(UserRow, user_id)
    if user is None or user.agency_id != agency_id or user.disabled:
        raise InvalidInput(f"{field}: no active user of the case's agency has this id", field)
    return user


def load_case(ctx: audit.Context, rec: audit.Recording, case_id: str, action: str) -> CaseRow:
    case: CaseRow = policy.load(rec.session, ctx.principal, CaseRow, case_id, action)
    rec.entry.record_agency = case.owner_agency
    return case


def add_event(
    session: Session,
    case: CaseRow,
    principal: Principal,
    kind: str,
    detail: dict[str, Any],
    at: datetime,
) -> CaseEventRow:
    event = CaseEventRow(
        case_id=case.id,
        kind=kind,
        detail=detail,
        actor_id=principal.user_id,
        actor=principal.username,
        at=at,
    )
    session.add(event)
    session.add(
        FeedRow(
            at=at,
            kind=f"case.{kind}",
            record_type=RECORD_TYPE,
            record_id=case.id,
            summary={"incident": case.incident_id, "status": case.status},
        )
    )
    return event
