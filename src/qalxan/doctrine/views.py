"""Plain JSON-ready views of doctrine items, relations, hits and the graph.

Shared by the API, the pages and the CLI so that all three show the same thing.
"""

from __future__ import annotations

from typing import Any

from qalxan.doctrine.model import Item
from qalxan.doctrine.registry import KIND_PLURALS, Doctrine, Edge
from qalxan.doctrine.search import Hit


def ref(item: Item) -> dict[str, Any]:
    """An item in brief: enough to name and link it."""
    return {
        "id": item.id,
        "kind": item.kind,
        "code": item.code,
        "name": item.name.model_dump(exclude_none=True),
    }


def item_view(item: Item) -> dict[str, Any]:
    """Every field of an item."""
    return {"kind": item.kind, **item.model_dump(mode="json", exclude_none=True)}


def edge_view(edge: Edge) -> dict[str, Any]:
    rel = edge.relation
    return {
        "type": rel.type,
        "direction": edge.direction,
        "item": ref(edge.other),
        **rel.model_dump(
            mode="json",
            exclude_none=True,
            include={"since", "until", "role", "justification", "provenance"},
        ),
    }


def item_detail(doctrine: Doctrine, item: Item) -> dict[str, Any]:
    """An item with all its relations, both ways."""
    return {**item_view(item), "relations": [edge_view(e) for e in doctrine.edges(item.id)]}


def hit_view(hit: Hit) -> dict[str, Any]:
    return {
        **ref(hit.item),
        "score": hit.score,
        "matches": [
            {"query": m.query, "term": m.term, "how": m.how, "fields": list(m.fields)}
            for m in hit.matches
        ],
    }


def summary(doctrine: Doctrine) -> dict[str, Any]:
    manifest = doctrine.manifest
    return {
        "id": manifest.id,
        "version": doctrine.version,
        "version_id": doctrine.version_id,
        "digest": doctrine.digest,
        "title": manifest.title.model_dump(exclude_none=True),
        "description": manifest.description.model_dump(exclude_none=True)
        if manifest.description
        else None,
        "counts": doctrine.counts(),
        "kinds": list(KIND_PLURALS.values()),
        "sources": {
            k: s.model_dump(mode="json", exclude_none=True) for k, s in manifest.sources.items()
        },
        "relation_types": {
            k: {
                "name": t.name.model_dump(exclude_none=True),
                "description": t.description,
                "routing": t.routing,
            }
            for k, t in doctrine.relation_types.items()
        },
    }


def graph(
    doctrine: Doctrine, kinds: set[str] | None = None, types: set[str] | None = None
) -> dict[str, Any]:
    """Nodes and edges, optionally restricted to some kinds of item and types of relation."""
    edges = [
        {"source": r.source, "target": r.target, "type": r.type}
        for r in doctrine.relations
        if (types is None or r.type in types)
        and (
            kinds is None
            or (doctrine.items[r.source].kind in kinds and doctrine.items[r.target].kind in kinds)
        )
    ]
    nodes = [ref(item) for item in doctrine.items.values() if kinds is None or item.kind in kinds]
    return {"nodes": nodes, "edges": edges}
