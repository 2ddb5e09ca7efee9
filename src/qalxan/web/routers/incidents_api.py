"""Incidents: ``/api/v1/incidents``, and the event types they are typed with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from qalxan.intake import curation, incidents
from qalxan.intake.paging import MAX_LIMIT
from qalxan.intake.taxonomy import taxonomy
from qalxan.web.deps import CallerDep, CtxDep

router = APIRouter(tags=["incidents"])

IncidentId = Annotated[str, Path(min_length=1, max_length=64)]
Code = Annotated[str | None, Query(max_length=80)]


@router.get("/incidents", summary="Incidents the caller may read, most recent first")
def list_incidents(
    ctx: CtxDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    before: Annotated[str | None, Query(max_length=80, description="next cursor")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    event_type: Code = None,
    threat: Annotated[str | None, Query(max_length=80, examples=["threat-3-4"])] = None,
    admin1: Annotated[str | None, Query(max_length=8, examples=["AZ-BA"])] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    agency: Code = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    filters = incidents.Filters(since, until, event_type, threat, admin1, country, agency, status)
    page = incidents.listing(ctx, filters, limit, before)
    return {"results": [incidents.out(r) for r in page.rows], "next": page.next}


@router.get("/incidents/{incident_id}", summary="One incident with its reports and routing")
def get_incident(ctx: CtxDep, incident_id: IncidentId) -> dict[str, Any]:
    return incidents.detail_out(incidents.get(ctx, incident_id))


@router.get("/event-types", summary="The event types, and the doctrine items each bears on")
def event_types(caller: CallerDep) -> dict[str, Any]:
    known = taxonomy()
    return {
        "categories": [c.model_dump(exclude_none=True) for c in known.categories],
        "types": [t.model_dump(exclude_none=True) for t in known.types],
    }


class MergeIn(BaseModel):
    source_id: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=1, max_length=curation.MAX_REASON)]


class SplitIn(BaseModel):
    report_ids: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=500)
    ]
    reason: Annotated[str, Field(min_length=1, max_length=curation.MAX_REASON)]


@router.post("/incidents/{incident_id}/merge", summary="Merge another incident into this one")
def merge(ctx: CtxDep, incident_id: IncidentId, body: MergeIn) -> dict[str, Any]:
    return incidents.out(curation.merge(ctx, incident_id, body.source_id, body.reason))


@router.post(
    "/incidents/{incident_id}/split",
    status_code=201,
    summary="Move reports off this incident into a new one",
)
def split(ctx: CtxDep, incident_id: IncidentId, body: SplitIn) -> dict[str, Any]:
    return incidents.out(curation.split(ctx, incident_id, body.report_ids, body.reason))
