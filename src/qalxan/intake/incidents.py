"""Reading incidents: one with its reports, routing and history (audited), or a page of those
the caller may read, filtered by time, type, threat, place, agency and status (in SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.sessions import aware
from qalxan.errors import InvalidInput
from qalxan.intake import paging
from qalxan.intake.reports import out as report_out
from qalxan.intake.tables import (
    IncidentEventRow,
    IncidentRow,
    MembershipRow,
    ReportRow,
    RoutingRow,
)
from qalxan.intake.taxonomy import taxonomy
from qalxan.store.engine import session_factory

RECORD_TYPE = IncidentRow.record_type
STATUSES = ("open", "closed", "merged")


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    event_type: str | None = None
    threat: str | None = None
    admin1: str | None = None
    country: str | None = None
    agency: str | None = None
    status: str | None = None


@dataclass
class Detail:
    incident: IncidentRow
    reports: list[ReportRow] = field(default_factory=list)
    hidden_reports: int = 0
    routing: list[RoutingRow] = field(default_factory=list)
    events: list[IncidentEventRow] = field(default_factory=list)


def get(ctx: audit.Context, incident_id: str) -> Detail:
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, incident_id) as rec:
        session = rec.session
        row: IncidentRow = policy.load(session, ctx.principal, IncidentRow, incident_id)
        rec.entry.record_agency = row.owner_agency
        members = select(MembershipRow.report_id).where(MembershipRow.incident_id == incident_id)
        visible = list(
            session.scalars(
                select(ReportRow)
                .where(ReportRow.id.in_(members), policy.visible(ctx.principal, ReportRow))
                .order_by(ReportRow.observed_at)
            )
        )
        detail = Detail(
            incident=row,
            reports=visible,
            hidden_reports=max(0, row.report_count - len(visible)),
            routing=list(
                session.scalars(
                    select(RoutingRow)
                    .where(RoutingRow.incident_id == incident_id)
                    .order_by(RoutingRow.id)
                )
            ),
            events=list(
                session.scalars(
                    select(IncidentEventRow)
                    .where(IncidentEventRow.incident_id == incident_id)
                    .order_by(IncidentEventRow.id)
                )
            ),
        )
        rec.entry.detail = {"reports": [r.id for r in visible]}
    return detail


def listing(
    ctx: audit.Context, filters: Filters, limit: int = 50, before: str | None = None
) -> paging.Page[IncidentRow]:
    with audit.recorded(ctx, f"{RECORD_TYPE}.list", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = _filtered(select(IncidentRow), filters)
        query = query.where(policy.visible(ctx.principal, IncidentRow))
        query = paging.after(query, IncidentRow.last_observed, IncidentRow.id, before, limit)
        found = paging.page(
            list(rec.session.scalars(query)), limit, lambda r: r.last_observed, lambda r: r.id
        )
        rec.entry.detail = {"count": len(found.rows), "ids": [r.id for r in found.rows]}
    return found


def routing_of(ctx: audit.Context, incident_ids: list[str]) -> dict[str, RoutingRow]:
    """How incidents the caller was just shown are routed to the caller's agency (for a queue's
    deadlines); an incident not routed to it has no entry."""
    agency = ctx.principal.agency_id
    if agency is None or not incident_ids:
        return {}
    with session_factory(ctx.trail.engine)() as session:
        rows = session.scalars(
            select(RoutingRow).where(
                RoutingRow.agency_id == agency, RoutingRow.incident_id.in_(incident_ids)
            )
        )
        return {r.incident_id: r for r in rows}


def _filtered(query: Select[Any], f: Filters) -> Select[Any]:
    known = taxonomy()
    if f.since is not None:
        query = query.where(IncidentRow.last_observed >= f.since)
    if f.until is not None:
        query = query.where(IncidentRow.first_observed <= f.until)
    if f.event_type:
        query = query.where(IncidentRow.event_type == known.get(f.event_type).code)
    if f.threat:
        # A threat is a set of types (their bears_on): an indexed IN, not a JSON search.
        types = [t.code for t in known.types if f.threat in t.bears_on]
        if not types:
            raise InvalidInput(f"threat: no event type bears on {f.threat!r}", "threat")
        query = query.where(IncidentRow.event_type.in_(types))
    if f.admin1:
        query = query.where(IncidentRow.admin1 == f.admin1.upper())
    if f.country:
        query = query.where(IncidentRow.country == f.country.upper())
    if f.status:
        if f.status not in STATUSES:
            raise InvalidInput(f"status: one of {', '.join(STATUSES)}", "status")
        query = query.where(IncidentRow.status == f.status)
    if f.agency:
        query = query.where(
            exists().where(
                RoutingRow.incident_id == IncidentRow.id, RoutingRow.agency_id == f.agency
            )
        )
    return query


def out(row: IncidentRow) -> dict[str, Any]:
    level = scheme().by_rank(row.classification)
    kind = taxonomy().by_code.get(row.event_type)
    return {
        "id": row.id,
        "title": row.title,
        "event_type": row.event_type,
        "event_type_name": kind.name.en if kind else row.event_type,
        "threats": list(kind.bears_on) if kind else [],
        "public_event": row.public_event,
        "public_event_note": kind.note if kind and kind.public_event else None,
        "status": row.status,
        "severity": row.severity,
        "first_observed": aware(row.first_observed),
        "last_observed": aware(row.last_observed),
        "place_text": row.place_text,
        "lat": row.lat,
        "lon": row.lon,
        "country": row.country,
        "admin1": row.admin1,
        "killed": row.killed,
        "injured": row.injured,
        "report_count": row.report_count,
        "owner_agency": row.owner_agency,
        "classification": level.code,
        "banner": level.banner,
        "tlp": row.tlp,
    }


def detail_out(detail: Detail) -> dict[str, Any]:
    row = detail.incident
    return {
        **out(row),
        "severity_reasons": row.severity_reasons,
        "place_facts": row.place_facts,
        "reports": [report_out(r, full=True) for r in detail.reports],
        "hidden_reports": detail.hidden_reports,
        "routing": [
            {
                "agency_id": r.agency_id,
                "role": r.role,
                "reasons": r.reasons,
                "routed_at": aware(r.routed_at),
                "ack_due": r.ack_due and aware(r.ack_due),
                "acknowledged_at": r.acknowledged_at and aware(r.acknowledged_at),
                "acknowledged_by": r.acknowledged_by,
                "escalation_level": r.escalation_level,
            }
            for r in detail.routing
        ],
        "history": [
            {"kind": e.kind, "detail": e.detail, "actor": e.actor, "at": aware(e.at)}
            for e in detail.events
        ],
    }
