"""Early warnings: ``/api/v1/warnings``. Every route needs a signed-in caller with
``assessment`` permissions; a warning the caller may not see answers 404 exactly like one that
does not exist."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from qalxan.intake.paging import MAX_LIMIT
from qalxan.picture import warning_review
from qalxan.web.deps import CtxDep

router = APIRouter(prefix="/warnings", tags=["picture"])

WarningId = Annotated[str, Path(min_length=1, max_length=64)]


class CloseIn(BaseModel):
    status: Annotated[str, Field(min_length=1, max_length=16, examples=["acknowledged"])]
    note: Annotated[str, Field(min_length=1, max_length=warning_review.MAX_NOTE)]


@router.get("", summary="Early warnings the caller may read, newest first")
def list_warnings(
    ctx: CtxDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=80, description="next cursor")] = None,
    status: Annotated[str | None, Query(max_length=16, examples=["open"])] = None,
    threat: Annotated[str | None, Query(max_length=80, examples=["threat-3-5"])] = None,
    region: Annotated[
        str | None,
        Query(max_length=8, description="a region's code, or `national`", examples=["AZ-TOV"]),
    ] = None,
) -> dict[str, Any]:
    page = warning_review.listing(
        ctx, status or None, threat or None, region or None, limit, cursor
    )
    return {"results": [warning_review.out(r) for r in page.rows], "next": page.next}


@router.get("/{warning_id}", summary="One warning with its explanation and routing")
def get_warning(ctx: CtxDep, warning_id: WarningId) -> dict[str, Any]:
    return warning_review.detail_out(*warning_review.get(ctx, warning_id))


@router.post("/{warning_id}/close", summary="Acknowledge or dismiss an open warning, with a note")
def close_warning(ctx: CtxDep, warning_id: WarningId, body: CloseIn) -> dict[str, Any]:
    return warning_review.out(warning_review.close(ctx, warning_id, body.status, body.note))
