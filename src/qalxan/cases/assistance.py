"""Requests for assistance between agencies: a case asks another agency for help; the incident
is routed to that agency (role ``assisting``), which accepts (opening its own case) or declines.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.tables import ShareRow
from qalxan.cases import service
from qalxan.cases.service import add_event, load_case
from qalxan.cases.tables import AssistanceRow, CaseRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, InvalidInput, NotFound, required_text
from qalxan.intake.tables import FeedRow, IncidentEventRow, IncidentRow, RoutingRow
from qalxan.store.ids import new_id

MAX_REQUEST = 5_000


def request(
    ctx: audit.Context, doctrine: Doctrine, case_id: str, to_agency: str, text: str
) -> AssistanceRow:
    with audit.recorded(ctx, "case.request", "case", case_id) as rec:
        session = rec.session
        case = load_case(ctx, rec, case_id, "update")
        item = doctrine.items.get(to_agency)
        if item is None or item.kind != "agency":
            raise InvalidInput(
                f"to_agency: no agency of the doctrine has the id {to_agency!r}", "to_agency"
            )
        if to_agency == case.owner_agency:
            raise InvalidInput("to_agency: your own agency", "to_agency")
        incident = session.get(IncidentRow, case.incident_id)
        assert incident is not None
        if incident.owner_agency != to_agency and incident.tlp not in scheme().tlp_with_reach(
            "everyone", "community", "shared", "strict"
        ):
            raise Conflict(
                "the incident's marking keeps it inside its agency; it cannot be routed on"
            )
        now = datetime.now(UTC)
        ask = AssistanceRow(
            id=new_id(),
            case_id=case_id,
            from_agency=case.owner_agency,
            to_agency=to_agency,
            request=required_text(text, "request", MAX_REQUEST),
            status="pending",
            created_by=ctx.principal.username,
            created_at=now,
        )
        session.add(ask)
        _route(session, incident, to_agency, case.owner_agency, ctx.principal.username, now)
        case.status = "waiting" if case.status == "in_progress" else case.status
        case.updated_at = now
        info = {"request": ask.id, "to_agency": to_agency}
        add_event(session, case, ctx.principal, "request", info, now)
        rec.entry.detail = info
    return ask


def answer(
    ctx: audit.Context, request_id: str, accept: bool, text: str | None = None
) -> AssistanceRow:
    """The asked agency accepts (and its case opens) or declines, saying why."""
    principal = ctx.principal
    with audit.recorded(ctx, "case.request-answer", "case") as rec:
        session = rec.session
        ask = session.get(AssistanceRow, request_id)
        if ask is None or ask.to_agency != principal.agency_id:
            raise NotFound(
                f"no request for assistance to your agency has the id {request_id!r}", "request_id"
            )
        policy.require(principal, "case", "create")
        if ask.status != "pending":
            raise Conflict(f"the request was already {ask.status}")
        if not accept and not (text or "").strip():
            raise InvalidInput("answer: declining needs a reason", "answer")
        now = datetime.now(UTC)
        ask.status = "accepted" if accept else "declined"
        ask.answer = (text or "").strip() or None
        ask.answered_by = principal.username
        ask.answered_at = now
        asking = session.get(CaseRow, ask.case_id)
        assert asking is not None
        rec.entry.record_id = asking.id
        rec.entry.record_agency = asking.owner_agency
        rec.entry.detail = {"request": ask.id, "accepted": accept}
        session.add(
            IncidentEventRow(
                incident_id=asking.incident_id,
                kind="assistance",
                detail={"request": ask.id, "agency": ask.to_agency, "status": ask.status},
                actor=principal.username,
                at=now,
            )
        )
        session.add(
            FeedRow(
                at=now,
                kind="case.request",
                record_type="case",
                record_id=asking.id,
                summary={"status": ask.status},
            )
        )
        incident_id = asking.incident_id
    if accept:
        case = service.acknowledge(ctx, incident_id)
        with audit.recorded(ctx, "case.request-link", "case", case.id) as rec:
            stored = rec.session.get(AssistanceRow, request_id)
            assert stored is not None
            stored.target_case_id = case.id
            ask = stored
    return ask


def pending(ctx: audit.Context) -> list[AssistanceRow]:
    """Requests waiting for the caller's agency."""
    with audit.recorded(ctx, "case.requests", "case") as rec:
        policy.require(ctx.principal, "case", policy.READ)
        rows = list(
            rec.session.scalars(
                select(AssistanceRow)
                .where(
                    AssistanceRow.to_agency == ctx.principal.agency_id,
                    AssistanceRow.status == "pending",
                )
                .order_by(AssistanceRow.created_at)
            )
        )
        rec.entry.detail = {"count": len(rows)}
    return rows


def _route(
    session: Session, incident: IncidentRow, agency: str, by: str, actor: str, now: datetime
) -> None:
    exists = session.scalar(
        select(RoutingRow).where(
            RoutingRow.incident_id == incident.id, RoutingRow.agency_id == agency
        )
    )
    if exists is None:
        session.add(
            RoutingRow(
                incident_id=incident.id,
                agency_id=agency,
                role="assisting",
                reasons=[f"assistance requested by {by}"],
                routed_at=now,
                ack_due=None,
                escalation_level=0,
            )
        )
    if incident.owner_agency != agency and incident.tlp in scheme().tlp_with_reach(
        "shared", "strict"
    ):
        session.add(
            ShareRow(
                record_type="incident",
                record_id=incident.id,
                agency_id=agency,
                reason=f"assistance requested by {by}",
                granted_by=actor,
                granted_at=now,
            )
        )
