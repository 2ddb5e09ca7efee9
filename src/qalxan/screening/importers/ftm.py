"""FollowTheMoney entities: filling them from a source, and reading FtM JSON lines.

:func:`put` is how every importer adds a value, and :func:`refuse_duplicates` how each checks
its source ids; :func:`read` reads a file of FtM entities, one JSON object a line, as exported
by FtM tools and OpenSanctions.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.types import registry

from qalxan.errors import InvalidInput
from qalxan.screening.model import EXCLUDED_PROPERTIES, SCHEMATA, ListEntry, new_entity


def put(entity: EntityProxy, names: str | tuple[str, ...], value: str | None) -> None:
    """Add ``value`` to the first of ``names`` that the entity's schema has.

    FtM cleans the value (a country name to its code, a date to ISO) and drops what it cannot
    clean, in silence. A listed party's data is evidence, so such a value (a country FtM does
    not know, a malformed date), or one no property of the schema holds, is kept readable in
    ``notes`` as ``"label: value"`` instead: the import goes on and nothing is lost.
    """
    if value is None or not value.strip():
        return
    names = (names,) if isinstance(names, str) else names
    for name in names:
        prop = entity.schema.get(name)
        # A reference to another entity cannot hold text: try the next name.
        if prop is None or prop.stub or prop.type == registry.entity:
            continue
        if name in EXCLUDED_PROPERTIES:
            return
        text = value.strip() if prop.type == registry.text else " ".join(value.split())
        if entity.unsafe_add(prop, text) is None:
            entity.add("notes", f"{prop.label}: {text}")
        return
    entity.add("notes", f"{names[0]}: {' '.join(value.split())}")


def refuse_duplicates(entries: list[ListEntry]) -> None:
    """Refuse a file holding one source id twice (or two that give one entity id), naming
    both places."""
    seen: dict[str, ListEntry] = {}
    for entry in entries:
        first = seen.setdefault(entry.id, entry)
        if first is not entry:
            raise InvalidInput(
                f"{entry.where}: duplicate id {entry.source_id!r}, already at {first.where}",
                "source_id",
            )


@dataclass
class FtmFile:
    """The listed parties of a file, and how many entities of other schemata (sanctions,
    addresses, ownerships in an OpenSanctions export) were skipped, by schema."""

    entries: list[ListEntry] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def read(path: Path, list_code: str) -> list[ListEntry]:
    """The listed parties of the FtM JSON lines file ``path``."""
    return scan(path, list_code).entries


def scan(path: Path, list_code: str) -> FtmFile:
    """Read the whole file, refusing it at the first malformed line."""
    result = FtmFile()
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                raise InvalidInput(f"{where}: not JSON: {error.msg}", "file") from error
            entry = _entry(data, list_code, where)
            if entry is None:
                result.skipped[str(data["schema"])] += 1
            else:
                result.entries.append(entry)
    refuse_duplicates(result.entries)
    return result


def _entry(data: Any, list_code: str, where: str) -> ListEntry | None:
    """The entry of one line, or None for an entity of a schema that is not a listed party."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: not a JSON object", "file")
    source_id, schema = data.get("id"), data.get("schema")
    if not isinstance(source_id, str) or not source_id.strip():
        raise InvalidInput(f"{where}: id: must be a non-empty string", "id")
    if not isinstance(schema, str):
        raise InvalidInput(f"{where}: schema: must be a string", "schema")
    if schema not in SCHEMATA and model.get(schema) is not None:
        return None
    try:
        entity = new_entity(schema, list_code, source_id)
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error.message}", error.field) from error
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise InvalidInput(f"{where}: properties: must be an object", "properties")
    for name, values in properties.items():
        _copy(entity, name, values, where)
    return ListEntry(list_code, source_id, entity, where)


def _copy(entity: EntityProxy, name: str, values: Any, where: str) -> None:
    if name in EXCLUDED_PROPERTIES:
        return
    prop = entity.schema.get(name)
    if prop is None or prop.stub:
        raise InvalidInput(f"{where}: properties: {entity.schema.name} has no {name!r}", name)
    # References to other entities are dropped: those entities are not imported with the
    # list, and the ids of the ones that are get rewritten by entity_id().
    if prop.type == registry.entity:
        return
    values = [values] if isinstance(values, str) else values
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise InvalidInput(f"{where}: properties: {name}: must be a list of strings", name)
    for value in values:
        put(entity, name, value)
