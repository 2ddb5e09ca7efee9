"""What changed between two doctrine versions: items and relations added, removed, changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qalxan.doctrine.registry import Doctrine


@dataclass(frozen=True)
class ItemChange:
    id: str
    kind: str
    name: str
    fields: list[str]


@dataclass
class DoctrineDiff:
    old: str
    new: str
    added: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    relations_added: list[str] = field(default_factory=list)
    relations_removed: list[str] = field(default_factory=list)
    relations_changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.relations_added
            or self.relations_removed
            or self.relations_changed
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "items": {
                "added": self.added,
                "removed": self.removed,
                "changed": [c.__dict__ for c in self.changed],
            },
            "relations": {
                "added": self.relations_added,
                "removed": self.relations_removed,
                "changed": self.relations_changed,
            },
        }


def _brief(doctrine: Doctrine, item_id: str) -> dict[str, str]:
    item = doctrine.items[item_id]
    return {"id": item.id, "kind": item.kind, "name": item.name.en}


def diff(old: Doctrine, new: Doctrine) -> DoctrineDiff:
    """The differences from ``old`` to ``new``, items compared field by field."""
    result = DoctrineDiff(old=old.version, new=new.version)
    result.added = [_brief(new, i) for i in new.items if i not in old.items]
    result.removed = [_brief(old, i) for i in old.items if i not in new.items]
    for item_id, item in new.items.items():
        before = old.items.get(item_id)
        if before is None or before == item:
            continue
        a, b = before.model_dump(mode="json"), item.model_dump(mode="json")
        changed = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        result.changed.append(ItemChange(item_id, item.kind, item.name.en, changed))
    old_rel = {r.key: r for r in old.relations}
    new_rel = {r.key: r for r in new.relations}
    result.relations_added = [k for k in new_rel if k not in old_rel]
    result.relations_removed = [k for k in old_rel if k not in new_rel]
    result.relations_changed = [k for k, r in new_rel.items() if k in old_rel and old_rel[k] != r]
    return result
