"""The loaded doctrine: items by kind and id, their relations, and the canonical document.

A :class:`Doctrine` is immutable once built; a new version of the Concept is a new object.
Its ``digest`` is the SHA-256 of the canonical JSON document, so loading the same content twice
is recognised as the same version.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from qalxan.doctrine.model import ITEM_MODELS, Item, Manifest, Relation, RelationType
from qalxan.errors import NotFound

KIND_PLURALS: dict[str, str] = {
    "interest": "interests",
    "threat": "threats",
    "direction": "directions",
    "agency": "agencies",
    "organisation": "organisations",
    "mechanism": "mechanisms",
    "instrument": "instruments",
    "state": "states",
    "infrastructure": "infrastructure",
    "event": "events",
}
_KIND_BY_NAME = {**{kind: kind for kind in KIND_PLURALS}, **{p: k for k, p in KIND_PLURALS.items()}}


def resolve_kind(name: str) -> str:
    """The kind named by its singular or plural form; NotFound for anything else."""
    kind = _KIND_BY_NAME.get(name)
    if kind is None:
        raise NotFound(
            f"unknown doctrine kind {name!r}; known: {', '.join(KIND_PLURALS.values())}",
            field="kind",
        )
    return kind


@dataclass(frozen=True)
class Edge:
    """A relation seen from one of its ends."""

    relation: Relation
    direction: str  # "out" when the item is the source, "in" when it is the target
    other: Item


class Doctrine:
    """One version of the doctrine registry."""

    def __init__(
        self,
        manifest: Manifest,
        items: list[Item],
        relations: list[Relation],
        relation_types: dict[str, RelationType],
    ) -> None:
        self.manifest = manifest
        self.items: dict[str, Item] = {item.id: item for item in items}
        self.relations = relations
        self.relation_types = relation_types
        self._by_kind: dict[str, list[Item]] = {kind: [] for kind in ITEM_MODELS}
        for item in items:
            self._by_kind[item.kind].append(item)
        self._edges: dict[str, list[Edge]] = defaultdict(list)
        for rel in relations:
            self._edges[rel.source].append(Edge(rel, "out", self.items[rel.target]))
            self._edges[rel.target].append(Edge(rel, "in", self.items[rel.source]))

    @property
    def version(self) -> str:
        return self.manifest.version

    def of_kind(self, kind: str) -> list[Item]:
        return self._by_kind[resolve_kind(kind)]

    def get(self, item_id: str, kind: str | None = None) -> Item:
        """The item with this id (of this kind, if given); NotFound otherwise."""
        item = self.items.get(item_id)
        if item is None or (kind is not None and item.kind != resolve_kind(kind)):
            raise NotFound(f"no doctrine item has the id {item_id!r}", field="id")
        return item

    def edges(self, item_id: str) -> list[Edge]:
        return self._edges.get(item_id, [])

    def targets(self, item_id: str, relation_type: str) -> list[Item]:
        """Items this one points to with relations of one type, e.g. a threat's lead agencies."""
        return [
            e.other
            for e in self.edges(item_id)
            if e.direction == "out" and e.relation.type == relation_type
        ]

    def counts(self) -> dict[str, int]:
        counts = {KIND_PLURALS[kind]: len(items) for kind, items in self._by_kind.items()}
        counts["relations"] = len(self.relations)
        return counts

    def to_document(self) -> dict[str, Any]:
        """The whole version as one JSON-ready document: manifest, a list per kind, relations."""
        document: dict[str, Any] = {"manifest": self.manifest.model_dump(mode="json")}
        for kind, items in self._by_kind.items():
            document[KIND_PLURALS[kind]] = [_dump(item) for item in items]
        document["relations"] = [_dump(rel) for rel in self.relations]
        return document

    @cached_property
    def digest(self) -> str:
        return document_digest(self.to_document())

    @property
    def version_id(self) -> str:
        """The id a stored version has: the head of its digest."""
        return self.digest[:16]

    def item_digest(self, item: Item) -> str:
        return document_digest(_dump(item))


def _dump(model: Item | Relation) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def document_digest(document: Any) -> str:
    """SHA-256 of the canonical JSON form (sorted keys, no whitespace)."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
