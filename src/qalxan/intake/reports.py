"""Reading reports: one (audited), or a page of those the caller may read (filtered in SQL by
the policy, audited with the ids it disclosed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.sessions import aware
from qalxan.intake import paging
from qalxan.intake.grading import grade
from qalxan.intake.tables import AttachmentRow, MembershipRow, ReportRow
from qalxan.intake.taxonomy import taxonomy

RECORD_TYPE = ReportRow.record_type
MAX_LIMIT = paging.MAX_LIMIT


@dataclass(frozen=True)
class Filters:
    event_type: str | None = None
    agency: str | None = None


@dataclass(frozen=True)
class Report:
    row: ReportRow
    incident_id: str | None
    attachments: list[AttachmentRow]


def get(ctx: audit.Context, report_id: str) -> Report:
    """The report, the incident it belongs to now, and its attachments."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, report_id) as rec:
        row: ReportRow = policy.load(rec.session, ctx.principal, ReportRow, report_id)
        rec.entry.record_agency = row.owner_agency
        member = rec.session.get(MembershipRow, report_id)
        files = list(
            rec.session.scalars(
                select(AttachmentRow)
                .where(AttachmentRow.record_type == RECORD_TYPE, AttachmentRow.record_id == row.id)
                .order_by(AttachmentRow.added_at)
            )
        )
    return Report(row, member.incident_id if member else None, files)


def listing(
    ctx: audit.Context, filters: Filters, limit: int = 50, before: str | None = None
) -> paging.Page[ReportRow]:
    with audit.recorded(ctx, f"{RECORD_TYPE}.list", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = select(ReportRow).where(policy.visible(ctx.principal, ReportRow))
        if filters.event_type:
            query = query.where(ReportRow.event_type == taxonomy().get(filters.event_type).code)
        if filters.agency:
            query = query.where(ReportRow.owner_agency == filters.agency)
        query = paging.after(query, ReportRow.observed_at, ReportRow.id, before, limit)
        found = paging.page(
            list(rec.session.scalars(query)), limit, lambda r: r.observed_at, lambda r: r.id
        )
        rec.entry.detail = {"count": len(found.rows), "ids": [r.id for r in found.rows]}
    return found


def detail_out(report: Report) -> dict[str, Any]:
    return {
        **out(report.row, full=True, incident_id=report.incident_id),
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "media_type": a.media_type,
                "size": a.size,
                "sha256": a.sha256,
                "added_by": a.added_by,
                "added_at": aware(a.added_at),
            }
            for a in report.attachments
        ],
    }


def out(row: ReportRow, full: bool = False, incident_id: str | None = None) -> dict[str, Any]:
    level = scheme().by_rank(row.classification)
    data: dict[str, Any] = {
        "id": row.id,
        "owner_agency": row.owner_agency,
        "owner_unit": row.owner_unit,
        "classification": level.code,
        "banner": level.banner,
        "tlp": row.tlp,
        "observed_at": aware(row.observed_at),
        "reported_at": aware(row.reported_at),
        "received_at": aware(row.received_at),
        "event_type": row.event_type,
        "typed_by": row.typed_by,
        "title": row.title,
        "place_text": row.place_text,
        "lat": row.lat,
        "lon": row.lon,
        "country": row.country,
        "admin1": row.admin1,
        "grade": grade(row.source_reliability, row.info_credibility),
        "killed": row.killed,
        "injured": row.injured,
        "missing": row.missing,
    }
    if full:
        data.update(
            narrative=row.narrative,
            language=row.language,
            typing=row.typing,
            location=row.location,
            source=row.source,
            source_reliability=row.source_reliability,
            info_credibility=row.info_credibility,
            damage=row.damage,
            objects=row.objects,
            origin=row.origin,
            origin_ref=row.origin_ref,
            incident_id=incident_id,
        )
    return data
