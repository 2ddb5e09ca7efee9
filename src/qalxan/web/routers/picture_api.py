"""The national threat picture: ``/api/v1/picture``: threat levels nationally and per region,
weekly trends and the map, from the rollups, counting what the caller is cleared for; and
``/api/v1/picture/indicators``: the analysts' indicators in their current windows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from qalxan.picture import indicator_readings, view
from qalxan.picture.contribution import watched
from qalxan.web.deps import CtxDep
from qalxan.web.forms import local_day

router = APIRouter(prefix="/picture", tags=["picture"])


@router.get("")
def get_picture(
    ctx: CtxDep,
    day: Annotated[str, Query(alias="date", max_length=10, description="YYYY-MM-DD")] = "",
    weeks: Annotated[int, Query(ge=1, le=156, description="Weeks of trends")] = view.TREND_WEEKS,
) -> dict[str, Any]:
    """Levels (with their reasons and the link to the incidents behind each), trends and map
    as of ``date`` (today by default)."""
    today = local_day(day, "date") or datetime.now(UTC).date()
    return view.picture(ctx, today, list(watched()), weeks=weeks).as_dict()


@router.get("/indicators")
def get_indicators(
    ctx: CtxDep,
    day: Annotated[str, Query(alias="date", max_length=10, description="YYYY-MM-DD")] = "",
) -> dict[str, Any]:
    """Every indicator in its window holding ``date`` (today by default), per region where it
    counts per region: the count, its threshold or norm, whether it is triggered and why."""
    today = local_day(day, "date") or datetime.now(UTC).date()
    found = indicator_readings.current(ctx, today)
    return {"today": today.isoformat(), "results": [r.as_dict() for r in found]}
