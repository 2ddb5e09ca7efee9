"""The audit trail for oversight: ``/api/v1/audit`` (needs ``audit:read``; every read audited).

Times without a zone are read in the installation's time zone (``QALXAN_TIMEZONE``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse, StreamingResponse

from qalxan.access import signing, trail_query
from qalxan.access.periods import as_utc, zone_of
from qalxan.access.trail_query import TrailFilter
from qalxan.errors import Conflict
from qalxan.web.deps import CtxDep, SettingsDep

router = APIRouter(prefix="/audit", tags=["oversight"])

Short = Annotated[str | None, Query(max_length=80)]


async def get_filters(
    settings: SettingsDep,
    actor_id: Short = None,
    actor_agency: Short = None,
    action: Annotated[
        str | None,
        Query(max_length=64, description="An action, or a prefix ending in '.' or '*'"),
    ] = None,
    record_type: Short = None,
    record_id: Short = None,
    outcome: Annotated[
        str | None, Query(max_length=16, description="success, denied, invalid or error")
    ] = None,
    since: Annotated[datetime | None, Query(description="From (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="Until (exclusive)")] = None,
) -> TrailFilter:
    zone = zone_of(settings.timezone)
    return TrailFilter(
        actor_id=actor_id,
        actor_agency=actor_agency,
        action=action,
        record_type=record_type,
        record_id=record_id,
        outcome=outcome,
        since=as_utc(since, zone) if since else None,
        until=as_utc(until, zone) if until else None,
    )


FiltersDep = Annotated[TrailFilter, Depends(get_filters)]


@router.get("", summary="Audit records, oldest first; page on with next_after_seq")
def read_trail(
    ctx: CtxDep,
    filters: FiltersDep,
    after_seq: Annotated[
        int, Query(ge=0, le=2**62, description="The last seq of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=trail_query.MAX_LIMIT)] = trail_query.DEFAULT_LIMIT,
) -> dict[str, Any]:
    page = trail_query.page(ctx, filters, after_seq, limit)
    return {"records": page.records, "next_after_seq": page.next_after_seq}


@router.get("/export", summary="The matching audit records as CSV (the export is audited)")
def export_trail(ctx: CtxDep, filters: FiltersDep) -> Response:
    return StreamingResponse(
        trail_query.export_csv(ctx, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/verify", summary="Check every link and signed checkpoint of the chain")
def verify_trail(ctx: CtxDep) -> dict[str, Any]:
    report = trail_query.verify_chain(ctx)
    broken = report.first_break
    return {
        "intact": report.intact,
        "records": report.records,
        "checkpoints": report.checkpoints,
        "head": {"seq": report.last_seq, "hash": report.last_hash},
        "first_break": {"seq": broken.seq, "reason": broken.reason} if broken else None,
    }


@router.get(
    "/public-key",
    summary="The platform's public key (PEM), to check checkpoints and signed reports",
    response_class=PlainTextResponse,
)
def public_key(ctx: CtxDep) -> PlainTextResponse:
    signer = ctx.trail.signer
    if signer is None:
        raise Conflict("the platform has no signing key")
    return PlainTextResponse(
        signing.public_pem(signer.public),
        media_type="application/x-pem-file",
        headers={"X-Key-Id": signer.key_id},
    )
