"""Server-rendered pages: the platform shell and the doctrine browser."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from qalxan.doctrine.diff import diff
from qalxan.doctrine.registry import KIND_PLURALS, Edge, resolve_kind
from qalxan.doctrine.versions import list_versions, resolve_version
from qalxan.web.deps import CacheDep, DoctrineDep, SearchIndexDep, SessionDep
from qalxan.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, doctrine: DoctrineDep) -> HTMLResponse:
    return render(request, "home.html", {"doctrine": doctrine, "plurals": KIND_PLURALS})


@router.get("/doctrine", response_class=HTMLResponse)
def doctrine_index(request: Request, doctrine: DoctrineDep) -> HTMLResponse:
    return render(request, "doctrine/index.html", {"doctrine": doctrine, "plurals": KIND_PLURALS})


@router.get("/doctrine/search", response_class=HTMLResponse)
def doctrine_search(
    request: Request,
    index: SearchIndexDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str | None, Query(max_length=40)] = None,
    partial: bool = False,
) -> HTMLResponse:
    hits = index.search(q, kind=kind or None, limit=50) if q.strip() else []
    template = "doctrine/_results.html" if partial else "doctrine/search.html"
    return render(request, template, {"q": q, "kind": kind, "hits": hits, "plurals": KIND_PLURALS})


@router.get("/doctrine/versions", response_class=HTMLResponse)
def doctrine_versions(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    old: Annotated[str | None, Query(max_length=80)] = None,
    new: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    changes = None
    if old and new:
        changes = diff(
            cache.get(session, resolve_version(session, old)),
            cache.get(session, resolve_version(session, new)),
        )
    return render(
        request,
        "doctrine/versions.html",
        {"versions": list_versions(session), "changes": changes, "old": old, "new": new},
    )


@router.get("/doctrine/{kind}", response_class=HTMLResponse)
def doctrine_kind(request: Request, doctrine: DoctrineDep, kind: str) -> HTMLResponse:
    name = resolve_kind(kind)
    return render(
        request,
        "doctrine/kind.html",
        {"kind": name, "plural": KIND_PLURALS[name], "items": doctrine.of_kind(name)},
    )


@router.get("/doctrine/{kind}/{item_id}", response_class=HTMLResponse)
def doctrine_item(request: Request, doctrine: DoctrineDep, kind: str, item_id: str) -> HTMLResponse:
    item = doctrine.get(item_id, kind)
    groups: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in doctrine.edges(item.id):
        groups[(edge.relation.type, edge.direction)].append(edge)
    return render(
        request,
        "doctrine/item.html",
        {
            "item": item,
            "plural": KIND_PLURALS[item.kind],
            "groups": groups,
            "relation_types": doctrine.relation_types,
            "sources": doctrine.manifest.sources,
        },
    )
