"""Reading a collection over TAXII: objects, one object, its versions, the manifest.

Every call is one audited read (the collection, the filters, how many objects went out and
the ``date_added`` range they came from, which with the collection's entries says exactly what
was disclosed). Objects go out as stored: each version's ``body`` text is joined into the
envelope as it is, never parsed and serialised again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from qalxan.access import audit, policy
from qalxan.cti import collections
from qalxan.cti.taxii import filters, media, paging
from qalxan.cti.taxii.filters import Filters
from qalxan.cti.taxii.query import Entry, Obj, selection
from qalxan.errors import NotFound

Params = Sequence[tuple[str, str]]
Render = Callable[[Sequence[Row[Any]], bool, str | None], str]


@dataclass(frozen=True)
class Page:
    """A TAXII response body and the ``date_added`` of its first and last object."""

    text: str
    first: str | None
    last: str | None
    count: int


def stamp(at: datetime) -> str:
    """A ``date_added`` as TAXII writes timestamps (UTC, microseconds)."""
    return paging.aware(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _head(more: bool, next_token: str | None) -> str:
    if next_token is None:
        return f'{{"more":{json.dumps(more)},'
    return f'{{"more":{json.dumps(more)},"next":{json.dumps(next_token)},'


def _envelope(rows: Sequence[Row[Any]], more: bool, next_token: str | None) -> str:
    return f'{_head(more, next_token)}"objects":[{",".join(r.body for r in rows)}]}}'


def _manifest(rows: Sequence[Row[Any]], more: bool, next_token: str | None) -> str:
    records = [
        {
            "id": r.stix_id,
            "date_added": stamp(r.date_added),
            "version": r.version or stamp(r.date_added),
            "media_type": media.stix(r.spec_version),
        }
        for r in rows
    ]
    return f'{_head(more, next_token)}"objects":{json.dumps(records)}}}'


def _versions(rows: Sequence[Row[Any]], more: bool, next_token: str | None) -> str:
    versions = [r.version or stamp(r.date_added) for r in rows]
    return f'{_head(more, next_token)}"versions":{json.dumps(versions)}}}'


KEYS = (Entry.seq, Entry.date_added)
OBJECT_COLUMNS = (*KEYS, Obj.body)
MANIFEST_COLUMNS = (*KEYS, Obj.stix_id, Obj.version, Obj.spec_version)
VERSION_COLUMNS = (*KEYS, Obj.version)


def objects(ctx: audit.Context, api_root: str, collection_id: str, params: Params) -> Page:
    """Get Objects (TAXII 2.1 section 5.3)."""
    return _read(ctx, "objects", api_root, collection_id, params, filters.OBJECTS, _envelope)


def manifest(ctx: audit.Context, api_root: str, collection_id: str, params: Params) -> Page:
    """Get Object Manifests (5.4)."""
    return _read(ctx, "manifest", api_root, collection_id, params, filters.OBJECTS, _manifest)


def one(
    ctx: audit.Context, api_root: str, collection_id: str, object_id: str, params: Params
) -> Page:
    """Get an Object (5.6): its versions that match (the newest by default)."""
    return _read(
        ctx, "object", api_root, collection_id, params, filters.OBJECT, _envelope, object_id
    )


def versions(
    ctx: audit.Context, api_root: str, collection_id: str, object_id: str, params: Params
) -> Page:
    """Get Object Versions (5.8)."""
    return _read(
        ctx, "versions", api_root, collection_id, params, filters.VERSIONS, _versions, object_id
    )


COLUMNS = {
    "objects": OBJECT_COLUMNS,
    "object": OBJECT_COLUMNS,
    "manifest": MANIFEST_COLUMNS,
    "versions": VERSION_COLUMNS,
}


def _read(
    ctx: audit.Context,
    what: str,
    api_root: str,
    collection_id: str,
    params: Params,
    allowed: frozenset[str],
    render: Render,
    object_id: str | None = None,
) -> Page:
    principal = ctx.principal
    action = f"cti.taxii.{what}"
    with audit.recorded(ctx, action, collections.AUDIT_TYPE, collection_id) as rec:
        policy.require(principal, collections.RECORD_TYPE, policy.READ)
        session = rec.session
        row, _ = collections.get(session, principal, api_root, collection_id, "read")
        rec.entry.record_agency = row.owner_agency
        chosen = filters.parse(params, allowed, "all" if what == "versions" else "last")
        after = paging.cursor(chosen)
        query = selection(
            COLUMNS[what], row.id, principal, chosen, object_id=object_id, after=after
        )
        found = session.execute(query.limit(chosen.limit + 1)).all()
        more = len(found) > chosen.limit
        rows = found[: chosen.limit]
        if object_id is not None and not rows and after is None:
            anything = selection((Entry.seq,), row.id, principal, Filters(versions=("all",)))
            if session.execute(anything.where(Obj.stix_id == object_id).limit(1)).first() is None:
                raise NotFound(f"the collection holds no object {object_id!r}", "object_id")
        last = rows[-1] if rows else None
        next_token = (
            paging.token(paging.Cursor(last.date_added, last.seq), chosen)
            if more and last is not None
            else None
        )
        page = Page(
            render(rows, more, next_token),
            stamp(rows[0].date_added) if rows else None,
            stamp(last.date_added) if last is not None else None,
            len(rows),
        )
        rec.entry.detail = {
            "api_root": api_root,
            "object_id": object_id,
            "filters": [list(p) for p in params if p[0] != "next"],
            "count": page.count,
            "date_added_first": page.first,
            "date_added_last": page.last,
            "more": more,
        }
    return page
