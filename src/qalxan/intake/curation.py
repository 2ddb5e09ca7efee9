"""An analyst's corrections: merging two incidents, splitting reports off an incident, and
confirming or correcting a report's type (what ``qalxan intake train`` learns from).

Reports are never changed: a merge or split moves their membership, with who, when and why in
both incidents' histories; a type correction is a new label row. A merge or split changes
the picture's rollups in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.tables import ShareRow
from qalxan.errors import Conflict, InvalidInput, required_text
from qalxan.intake import severity
from qalxan.intake.tables import (
    FeedRow,
    IncidentEventRow,
    IncidentRow,
    LabelRow,
    MembershipRow,
    ReportRow,
    RoutingRow,
)
from qalxan.intake.taxonomy import taxonomy
from qalxan.picture import rollup
from qalxan.picture.contribution import contribution
from qalxan.store.ids import new_id

MAX_REASON = 2000


def merge(ctx: audit.Context, target_id: str, source_id: str, reason: str) -> IncidentRow:
    """Move every report of ``source_id`` into ``target_id``; the source is closed as merged."""
    why = required_text(reason, "reason", MAX_REASON)
    if target_id == source_id:
        raise InvalidInput("source_id: an incident cannot be merged into itself", "source_id")
    with audit.recorded(ctx, "incident.merge", "incident", target_id) as rec:
        session = rec.session
        target = _open(session, ctx, target_id)
        source = _open(session, ctx, source_id)
        rec.entry.record_agency = target.owner_agency
        counted = [(row, contribution(row)) for row in (target, source)]
        moved = _members(session, source_id)
        now = datetime.now(UTC)
        for member in moved:
            member.incident_id = target_id
            member.reason = {"merged_from": source_id, "reason": why}
            member.joined_by = ctx.principal.username
            member.joined_at = now
        source.status = "merged"
        source.report_count = 0
        source.updated_at = now
        session.flush()
        recompute(session, target, now)
        rollup.apply(session, [(before, contribution(row)) for row, before in counted])
        _copy_routing(session, source_id, target_id)
        detail = {"from": source_id, "reports": [m.report_id for m in moved], "reason": why}
        _event(session, target_id, "merged", detail, ctx, now)
        _event(session, source_id, "merged_into", {"into": target_id, "reason": why}, ctx, now)
        rec.entry.detail = detail
    return target


def split(
    ctx: audit.Context, incident_id: str, report_ids: Sequence[str], reason: str
) -> IncidentRow:
    """Move reports off an incident into a new one (of the same owner and markings)."""
    why = required_text(reason, "reason", MAX_REASON)
    wanted = list(dict.fromkeys(report_ids))
    if not wanted:
        raise InvalidInput("report_ids: name at least one report to split off", "report_ids")
    with audit.recorded(ctx, "incident.split", "incident", incident_id) as rec:
        session = rec.session
        incident = _open(session, ctx, incident_id)
        rec.entry.record_agency = incident.owner_agency
        members = {m.report_id: m for m in _members(session, incident_id)}
        unknown = [r for r in wanted if r not in members]
        if unknown:
            raise InvalidInput(f"report_ids: not reports of this incident: {unknown}", "report_ids")
        if len(wanted) == len(members):
            raise InvalidInput("report_ids: a split must leave at least one report", "report_ids")
        now = datetime.now(UTC)
        before = contribution(incident)
        fresh = IncidentRow(
            id=new_id(),
            owner_agency=incident.owner_agency,
            owner_unit=incident.owner_unit,
            classification=incident.classification,
            tlp=incident.tlp,
            title=incident.title,
            event_type=incident.event_type,
            public_event=incident.public_event,
            status="open",
            first_observed=incident.first_observed,
            last_observed=incident.last_observed,
            severity=incident.severity,
            severity_reasons=[],
            place_facts=incident.place_facts,
            report_count=0,
            fingerprint="",
            created_at=now,
            updated_at=now,
        )
        session.add(fresh)
        session.flush()
        for report_id in wanted:
            member = members[report_id]
            member.incident_id = fresh.id
            member.reason = {"split_from": incident_id, "reason": why}
            member.joined_by = ctx.principal.username
            member.joined_at = now
        session.flush()
        recompute(session, incident, now)
        recompute(session, fresh, now)
        rollup.apply(session, [(before, contribution(incident)), (None, contribution(fresh))])
        _copy_routing(session, incident_id, fresh.id)
        detail = {"into": fresh.id, "reports": wanted, "reason": why}
        _event(session, incident_id, "split", detail, ctx, now)
        _event(session, fresh.id, "split_from", {"from": incident_id, "reason": why}, ctx, now)
        rec.entry.detail = detail
    return fresh


def label(ctx: audit.Context, report_id: str, event_type: str, note: str | None = None) -> LabelRow:
    """Confirm (same type) or correct a report's type. Labels train the classifier; the report
    itself is not changed."""
    code = taxonomy().get(event_type).code
    with audit.recorded(ctx, "report.label", "report", report_id) as rec:
        policy.require(ctx.principal, "report", "update")
        report: ReportRow = policy.load(rec.session, ctx.principal, ReportRow, report_id)
        rec.entry.record_agency = report.owner_agency
        row = LabelRow(
            report_id=report_id,
            event_type=code,
            previous=report.event_type,
            decided_by=ctx.principal.username,
            decided_at=datetime.now(UTC),
            note=required_text(note, "note", MAX_REASON) if note else None,
        )
        rec.session.add(row)
        rec.entry.detail = {"event_type": code, "previous": report.event_type}
    return row


def recompute(session: Session, incident: IncidentRow, now: datetime) -> None:
    """An incident's figures from the reports it holds now."""
    reports = list(
        session.scalars(
            select(ReportRow)
            .join(MembershipRow, MembershipRow.report_id == ReportRow.id)
            .where(MembershipRow.incident_id == incident.id)
        )
    )
    if not reports:
        return
    incident.report_count = len(reports)
    incident.first_observed = min(r.observed_at for r in reports)
    incident.last_observed = max(r.observed_at for r in reports)
    incident.killed = max(r.killed for r in reports)
    incident.injured = max(r.injured for r in reports)
    incident.classification = max(r.classification for r in reports)
    located = next((r for r in reports if r.lat is not None), None)
    if located is not None:
        for key in ("lat", "lon", "admin1", "country", "place_text", "location_precision"):
            setattr(incident, key, getattr(located, key))
    facts = incident.place_facts or {}
    graded = severity.assess(
        severity.Facts(
            event_type=incident.event_type,
            killed=incident.killed,
            injured=incident.injured,
            reports=incident.report_count,
            pipeline_km=facts.get("pipeline_km"),
            pipeline=facts.get("pipeline"),
            border_zone=bool(facts.get("border_zone")),
            offshore=bool(facts.get("offshore")),
        )
    )
    incident.severity = graded.level
    incident.severity_reasons = list(graded.reasons)
    incident.updated_at = now


def _open(session: Session, ctx: audit.Context, incident_id: str) -> IncidentRow:
    row: IncidentRow = policy.load(session, ctx.principal, IncidentRow, incident_id, "update")
    if row.status != "open":
        raise Conflict(f"incident {incident_id} is {row.status}")
    return row


def _members(session: Session, incident_id: str) -> list[MembershipRow]:
    return list(
        session.scalars(select(MembershipRow).where(MembershipRow.incident_id == incident_id))
    )


def _copy_routing(session: Session, from_id: str, to_id: str) -> None:
    """Route ``to_id`` to every agency ``from_id`` is routed to (and share it alike)."""
    present = set(
        session.scalars(select(RoutingRow.agency_id).where(RoutingRow.incident_id == to_id))
    )
    for route in session.scalars(select(RoutingRow).where(RoutingRow.incident_id == from_id)):
        if route.agency_id in present:
            continue
        session.add(
            RoutingRow(
                incident_id=to_id,
                agency_id=route.agency_id,
                role=route.role,
                reasons=[*route.reasons, f"split from {from_id}"],
                routed_at=route.routed_at,
                ack_due=route.ack_due,
                acknowledged_at=route.acknowledged_at,
                acknowledged_by=route.acknowledged_by,
                escalation_level=route.escalation_level,
            )
        )
    for share in session.scalars(
        select(ShareRow).where(
            ShareRow.record_type == "incident",
            ShareRow.record_id == from_id,
            ShareRow.revoked_at.is_(None),
        )
    ):
        session.add(
            ShareRow(
                record_type="incident",
                record_id=to_id,
                agency_id=share.agency_id,
                user_id=share.user_id,
                reason=f"split from {from_id}: {share.reason}",
                granted_by=share.granted_by,
            )
        )


def _event(
    session: Session,
    incident_id: str,
    kind: str,
    detail: dict[str, Any],
    ctx: audit.Context,
    now: datetime,
) -> None:
    session.add(
        IncidentEventRow(
            incident_id=incident_id, kind=kind, detail=detail, actor=ctx.principal.username, at=now
        )
    )
    session.add(
        FeedRow(
            at=now,
            kind=f"incident.{kind}",
            record_type="incident",
            record_id=incident_id,
            summary=detail,
        )
    )
