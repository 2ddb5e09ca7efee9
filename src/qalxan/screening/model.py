"""A list entry: one listed party as a FollowTheMoney entity, with its list and the list's own
reference for it.

The entity id is derived from the list and that reference, so importing a list twice (or a
new version of it) gives the same ids: what changed is found by comparing entries by id.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy, model

from qalxan.errors import InvalidInput

# The schemata a list may hold; anything else in a file is refused, naming it.
SCHEMATA = ("Person", "Organization", "LegalEntity", "Company", "Vessel", "Airplane")

# Properties never stored nor matched on, whatever a source file carries: screening must not
# profile people by their politics, religion or ethnicity.
EXCLUDED_PROPERTIES = frozenset({"political", "religion", "ethnicity"})

_SLUG = re.compile(r"[^a-z0-9]+")


def entity_id(list_code: str, source_id: str) -> str:
    """``un-sc-qdi-001`` for QDi.001 on the list ``un-sc``: stable from version to version."""
    slug = _SLUG.sub("-", source_id.lower()).strip("-")
    if not slug:
        raise InvalidInput("source_id: must hold a letter or a digit", "source_id")
    return f"{list_code}-{slug}"


def new_entity(schema: str, list_code: str, source_id: str) -> EntityProxy:
    """An empty entity of ``schema`` for the entry ``source_id`` of ``list_code``."""
    if schema not in SCHEMATA:
        raise InvalidInput(f"schema: {schema!r} is not one of {', '.join(SCHEMATA)}", "schema")
    entity = model.make_entity(schema)
    entity.id = entity_id(list_code, source_id)
    return entity


@dataclass(frozen=True)
class ListEntry:
    """One party on one list. ``where`` says where in the source file it was read (a line or
    an element), for error messages and for the officer checking a hit against the source."""

    list_code: str
    source_id: str
    entity: EntityProxy
    where: str = ""

    @property
    def id(self) -> str:
        assert self.entity.id is not None
        return self.entity.id

    @property
    def schema(self) -> str:
        return self.entity.schema.name

    @property
    def caption(self) -> str:
        return self.entity.caption

    def data(self) -> dict[str, Any]:
        """The entity as FollowTheMoney JSON, without the excluded properties."""
        properties = {
            name: sorted(values)
            for name, values in self.entity.to_dict()["properties"].items()
            if name not in EXCLUDED_PROPERTIES
        }
        return {"id": self.id, "schema": self.schema, "properties": properties}

    def digest(self) -> str:
        """A hash of the entry's content: equal digests, nothing changed between versions."""
        text = json.dumps(self.data(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_from_data(list_code: str, source_id: str, data: dict[str, Any]) -> ListEntry:
    """A stored entry read back (the inverse of :meth:`ListEntry.data`)."""
    entity = model.get_proxy(data)
    return ListEntry(list_code, source_id, entity)
