"""The risk register: ``/api/v1/risks``. Every route needs a signed-in caller.

Each answer holds only the assessments the caller may read (clearance and need-to-know).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from qalxan.access.markings import scheme
from qalxan.access.sessions import aware
from qalxan.picture import register
from qalxan.picture.contribution import watched
from qalxan.picture.tables import RiskRow
from qalxan.web.deps import CtxDep

router = APIRouter(prefix="/risks", tags=["picture"])

Region = Annotated[
    str,
    Query(max_length=8, description="An ISO 3166-2:AZ code; empty for national"),
]
Threat = Annotated[str, Path(min_length=1, max_length=80, examples=["threat-3-4"])]
Point = Annotated[int, Field(strict=True, ge=1, le=5)]


class RiskIn(BaseModel):
    threat: Annotated[str, Field(min_length=1, max_length=80, examples=["threat-3-4"])]
    region: Annotated[str, Field(max_length=8, examples=["", "AZ-TOV"])] = ""
    likelihood: Point
    impact: Point
    justification: Annotated[str, Field(min_length=1, max_length=register.MAX_JUSTIFICATION)]
    classification: Annotated[str, Field(min_length=1, max_length=40, examples=["restricted"])]
    tlp: Annotated[str | None, Field(max_length=20, examples=["GREEN"])] = None


def risk_out(row: RiskRow) -> dict[str, Any]:
    level = scheme().by_rank(row.classification)
    return {
        "id": row.id,
        "threat": row.threat,
        "region": row.region,
        "version": row.version,
        "likelihood": row.likelihood,
        "impact": row.impact,
        "score": row.likelihood * row.impact,
        "justification": row.justification,
        "classification": level.code,
        "banner": level.banner,
        "tlp": row.tlp,
        "owner_agency": row.owner_agency,
        "assessed_by": row.assessed_by,
        # SQLite hands back naive UTC times: say UTC on every backend alike.
        "assessed_at": aware(row.assessed_at),
    }


@router.get("", summary="The current register of a region (or national) and its risk matrix")
def current_risks(ctx: CtxDep, region: Region = "") -> dict[str, Any]:
    rows = register.current(ctx, region)
    found = register.matrix_of(rows, register.check_region(region))
    return {
        "region": found.region,
        "assessments": [risk_out(r) for r in rows.values()],
        "unassessed": [t for t in watched() if t not in rows],
        "matrix": found.as_dict(),
    }


@router.get("/{threat}/history", summary="Every version of a threat's assessment, newest first")
def risk_history(ctx: CtxDep, threat: Threat, region: Region = "") -> dict[str, Any]:
    rows = register.history(ctx, threat, region)
    return {"results": [risk_out(r) for r in rows]}


@router.post("", status_code=201, summary="Assess a threat: the next version of its assessment")
def assess_risk(ctx: CtxDep, body: RiskIn) -> dict[str, Any]:
    row = register.assess(
        ctx,
        body.threat,
        body.region,
        body.likelihood,
        body.impact,
        body.justification,
        body.classification,
        body.tlp,
    )
    return risk_out(row)
