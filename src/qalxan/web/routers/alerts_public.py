"""The public warnings, for anyone and without signing in: ``/alerts/feed.atom`` (the active
public alerts) and each public alert's CAP document at ``/alerts/cap/{sender}/{identifier}.xml``
(a URL that never changes). Any other alert answers 404, like one that does not exist.

Both carry ``ETag`` and ``Last-Modified`` and answer ``If-None-Match`` / ``If-Modified-Since``
with 304, so that the many readers polling the feed cost little.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from qalxan.alerts import publish
from qalxan.settings import Settings

# Outside the API's OpenAPI document, like the pages: public XML, described in
# docs/alerts-desk.md.
router = APIRouter(prefix="/alerts", include_in_schema=False)

Part = Annotated[str, Path(min_length=1, max_length=200)]
MAX_AGE = 60  # seconds a cache may keep an answer without asking again


@router.get("/feed.atom", response_class=Response)
def feed(request: Request) -> Response:
    """The Atom feed of the active public alerts."""
    engine = request.app.state.engine
    settings: Settings = request.app.state.settings
    now = datetime.now(UTC)
    updated = publish.feed_updated(engine, now)
    body = publish.atom_feed(
        publish.active_public(engine, now),
        publish.public_base(settings, str(request.base_url)),
        settings.alerts_feed_title,
        settings.alerts_sender,
        updated,
    )
    return _conditional(request, body, updated, publish.ATOM_MEDIA_TYPE)


@router.get("/cap/{sender}/{identifier}.xml", response_class=Response)
def cap_document(request: Request, sender: Part, identifier: Part) -> Response:
    """A public alert's CAP 1.2 document, exactly as issued."""
    row = publish.public_alert(request.app.state.engine, sender, identifier)
    issued = row.issued_at or row.updated_at
    return _conditional(request, row.xml.encode("utf-8"), issued, publish.CAP_MEDIA_TYPE)


def _conditional(request: Request, body: bytes, modified: datetime, media_type: str) -> Response:
    modified = (modified if modified.tzinfo else modified.replace(tzinfo=UTC)).astimezone(UTC)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(modified, usegmt=True),
        "Cache-Control": f"public, max-age={MAX_AGE}",
    }
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    # RFC 9110, 13.2.2: If-None-Match, when present, decides; If-Modified-Since otherwise.
    tags = request.headers.get("if-none-match")
    if tags is not None:
        found = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in found or etag in found
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        return False
    return modified.replace(microsecond=0) <= when
