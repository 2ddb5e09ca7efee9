"""The doctrine API: a published document, readable without login."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from qalxan.doctrine import views
from qalxan.doctrine.diff import diff
from qalxan.doctrine.registry import resolve_kind
from qalxan.doctrine.versions import list_versions, resolve_version
from qalxan.web.deps import CacheDep, DoctrineDep, SearchIndexDep, SessionDep

router = APIRouter(prefix="/doctrine", tags=["doctrine"])


@router.get("")
async def doctrine_summary(doctrine: DoctrineDep) -> dict[str, Any]:
    """The version in force (or the one asked for): title, counts per kind, sources."""
    return views.summary(doctrine)


@router.get("/versions")
def versions(session: SessionDep) -> dict[str, Any]:
    """Every stored version, oldest first, with the one in force marked."""
    return {
        "versions": [
            {**v.__dict__, "loaded_at": v.loaded_at.isoformat()} for v in list_versions(session)
        ]
    }


@router.get("/diff")
def version_diff(
    session: SessionDep,
    cache: CacheDep,
    old: Annotated[str, Query(min_length=1, max_length=80, description="Older version")],
    new: Annotated[str, Query(min_length=1, max_length=80, description="Newer version")],
) -> dict[str, Any]:
    """What was added, removed or changed from one version to another."""
    before = cache.get(session, resolve_version(session, old))
    after = cache.get(session, resolve_version(session, new))
    return diff(before, after).to_dict()


@router.get("/graph")
async def doctrine_graph(
    doctrine: DoctrineDep,
    kind: Annotated[list[str] | None, Query(description="Only items of these kinds")] = None,
    relation: Annotated[list[str] | None, Query(description="Only these relation types")] = None,
) -> dict[str, Any]:
    """All items as nodes and all relations as typed edges."""
    kinds = {resolve_kind(k) for k in kind} if kind else None
    return views.graph(doctrine, kinds, set(relation) if relation else None)


@router.get("/search")
async def search(
    index: SearchIndexDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Words in English or "
            "Azerbaijani; inflected forms and spelling variants match",
        ),
    ],
    kind: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Items ranked by relevance, each with the matches that explain its score."""
    hits = index.search(q, kind=kind, limit=limit)
    return {"query": q, "count": len(hits), "results": [views.hit_view(h) for h in hits]}


@router.get("/{kind}")
async def list_kind(doctrine: DoctrineDep, kind: str) -> dict[str, Any]:
    """Every item of one kind (``threats``, ``agencies``, ...), in document order."""
    items = doctrine.of_kind(kind)
    return {
        "kind": resolve_kind(kind),
        "count": len(items),
        "items": [views.item_view(i) for i in items],
    }


@router.get("/{kind}/{item_id}")
async def get_item(doctrine: DoctrineDep, kind: str, item_id: str) -> dict[str, Any]:
    """One item with its relations and provenance."""
    return views.item_detail(doctrine, doctrine.get(item_id, kind))
