"""Live updates for dashboards: ``GET /api/v1/stream`` (server-sent events).

The stream polls the feed once a second and ends after ``seconds``; browsers' EventSource
reconnects by itself, sending ``Last-Event-ID`` so that nothing is missed between streams.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from qalxan.access.audit import Context
from qalxan.intake import feed
from qalxan.web.deps import CtxDep

router = APIRouter(tags=["stream"])
POLL_SECONDS = 1.0


@router.get(
    "/stream",
    summary="Server-sent events: new and changed incidents and cases the caller may read",
    response_class=StreamingResponse,
)
async def stream(
    ctx: CtxDep,
    seconds: Annotated[int, Query(ge=1, le=3600)] = 300,
    after: Annotated[int | None, Query(ge=0, le=2**62, description="start after this id")] = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> StreamingResponse:
    feed.check_reader(ctx)
    start = after
    if start is None and last_event_id is not None and last_event_id.isdigit():
        start = int(last_event_id)
    if start is None:
        start = await run_in_threadpool(feed.latest_id, ctx)
    return StreamingResponse(
        _events(ctx, start, seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(ctx: Context, after: int, seconds: int) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        for item in await run_in_threadpool(feed.since, ctx, after):
            after = item["id"]
            yield f"id: {after}\nevent: {item['kind']}\ndata: {json.dumps(item, default=str)}\n\n"
        if loop.time() >= deadline:
            return
        await asyncio.sleep(POLL_SECONDS)
