"""Reading a doctrine version from its data files, or from its exported JSON document.

A version directory holds ``manifest.yaml`` and any number of other YAML files, each either
``{kind: <kind>, items: [...]}`` or ``{relations: [...]}``. Every problem is raised as a
:class:`DoctrineLoadError` naming the file and the field, e.g.
``threats.yaml: items[3] (threat-3-4).name.az: Field required``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from qalxan.doctrine.model import ITEM_MODELS, Item, Manifest, Relation, RelationType
from qalxan.doctrine.registry import KIND_PLURALS, Doctrine
from qalxan.errors import DoctrineLoadError

M = TypeVar("M", bound=BaseModel)

BUNDLED_VERSION = "concept-2007"
MANIFEST = "manifest.yaml"

SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def bundled_path() -> Path:
    """The directory of the doctrine version shipped inside the package."""
    return Path(str(resources.files("qalxan.doctrine").joinpath("data", BUNDLED_VERSION)))


def load_relation_types() -> dict[str, RelationType]:
    """The relation vocabulary shipped with the package."""
    name = "relation_types.yaml"
    raw = _read_yaml(Path(str(resources.files("qalxan.doctrine").joinpath(name))), name)
    if not isinstance(raw, dict):
        raise DoctrineLoadError(name, None, "must be a mapping of relation type names")
    return {key: _validate(RelationType, value, name, key) for key, value in raw.items()}


def load_directory(path: Path) -> Doctrine:
    """Load and check the doctrine version stored as YAML files in ``path``."""
    if not path.is_dir():
        raise DoctrineLoadError(str(path), None, "is not a directory")
    manifest_file = path / MANIFEST
    if not manifest_file.is_file():
        raise DoctrineLoadError(str(path), None, f"has no {MANIFEST}")
    manifest = _validate(Manifest, _read_yaml(manifest_file, MANIFEST), MANIFEST, None)
    items: list[tuple[str, Item]] = []
    relations: list[tuple[str, Relation]] = []
    for file in sorted(path.glob("*.yaml")):
        if file.name == MANIFEST:
            continue
        raw = _read_yaml(file, file.name)
        file_items, file_relations = _parse_file(raw, file.name)
        items.extend((file.name, item) for item in file_items)
        relations.extend((file.name, relation) for relation in file_relations)
    return _assemble(manifest, items, relations)


def load_document(document: Mapping[str, Any], origin: str = "document") -> Doctrine:
    """Load a doctrine version from its exported JSON form (see :meth:`Doctrine.to_document`)."""
    manifest = _validate(Manifest, document.get("manifest"), origin, "manifest")
    items: list[tuple[str, Item]] = []
    for kind, plural in KIND_PLURALS.items():
        for index, raw in enumerate(document.get(plural, [])):
            items.append((origin, _validate_item(ITEM_MODELS[kind], raw, origin, plural, index)))
    relations = [
        (origin, _validate(Relation, raw, origin, f"relations[{index}]"))
        for index, raw in enumerate(document.get("relations", []))
    ]
    return _assemble(manifest, items, relations)


def load_json(path: Path) -> Doctrine:
    """Load a doctrine version from an exported JSON file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DoctrineLoadError(path.name, None, f"cannot be read as JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise DoctrineLoadError(path.name, None, "must be a JSON object")
    return load_document(document, path.name)


def load_path(path: Path) -> Doctrine:
    """Load a version from a directory of YAML files or from an exported JSON file."""
    return load_directory(path) if path.is_dir() else load_json(path)


@lru_cache(maxsize=1)
def load_bundled() -> Doctrine:
    """The doctrine version shipped with the package: validated once per process (it cannot
    change while the process runs). Shared: treat it as read-only, like every Doctrine."""
    return load_directory(bundled_path())


def _read_yaml(file: Path, name: str) -> Any:
    try:
        with file.open(encoding="utf-8") as handle:
            # libyaml's parser when present: the bundled version parses ~10x faster.
            return yaml.load(handle, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise DoctrineLoadError(name, None, f"cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise DoctrineLoadError(name, where, f"is not valid YAML: {exc}") from exc


def _parse_file(raw: Any, name: str) -> tuple[list[Item], list[Relation]]:
    if not isinstance(raw, dict):
        raise DoctrineLoadError(
            name, None, "must be a mapping with 'kind' and 'items', or 'relations'"
        )
    unknown = set(raw) - {"kind", "items", "relations"}
    if unknown:
        raise DoctrineLoadError(name, sorted(unknown)[0], "is not a known top-level key")
    items: list[Item] = []
    if "items" in raw or "kind" in raw:
        kind = raw.get("kind")
        if kind not in ITEM_MODELS:
            raise DoctrineLoadError(name, "kind", f"must be one of {', '.join(ITEM_MODELS)}")
        entries = raw.get("items")
        if not isinstance(entries, list):
            raise DoctrineLoadError(name, "items", "must be a list")
        items = [
            _validate_item(ITEM_MODELS[kind], entry, name, "items", index)
            for index, entry in enumerate(entries)
        ]
    relations: list[Relation] = []
    if "relations" in raw:
        entries = raw["relations"]
        if not isinstance(entries, list):
            raise DoctrineLoadError(name, "relations", "must be a list")
        relations = [
            _validate(Relation, entry, name, f"relations[{index}]")
            for index, entry in enumerate(entries)
        ]
    return items, relations


def _validate_item(model: type[Item], raw: Any, file: str, prefix: str, index: int) -> Item:
    label = f"{prefix}[{index}]"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        label += f" ({raw['id']})"
    return _validate(model, raw, file, label)


def _validate(model: type[M], raw: Any, file: str, prefix: str | None) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = _dotted(prefix, error["loc"])
        raise DoctrineLoadError(file, path or None, error["msg"]) from exc


def _dotted(prefix: str | None, loc: Sequence[int | str]) -> str:
    parts = [prefix] if prefix else []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
        else:
            parts.append(str(part))
    return ".".join(parts)


def _assemble(
    manifest: Manifest,
    items: Iterable[tuple[str, Item]],
    relations: Iterable[tuple[str, Relation]],
) -> Doctrine:
    relation_types = load_relation_types()
    by_id: dict[str, Item] = {}
    for file, item in items:
        if item.id in by_id:
            raise DoctrineLoadError(file, f"{item.id}.id", "is used by another item")
        _check_sources(manifest, item.provenance, file, item.id)
        by_id[item.id] = item
    seen: set[str] = set()
    checked: list[Relation] = []
    for file, relation in relations:
        where = relation.key
        kind_of = relation_types.get(relation.type)
        if kind_of is None:
            raise DoctrineLoadError(file, f"{where}.type", "is not in the relation vocabulary")
        for end, allowed in (("source", kind_of.source_kinds), ("target", kind_of.target_kinds)):
            ref = getattr(relation, end)
            endpoint = by_id.get(ref)
            if endpoint is None:
                raise DoctrineLoadError(file, f"{where}.{end}", f"no item has the id {ref!r}")
            if endpoint.kind not in allowed:
                raise DoctrineLoadError(
                    file,
                    f"{where}.{end}",
                    f"a {endpoint.kind} cannot be the {end} of {relation.type}",
                )
        if kind_of.requires_justification and not relation.justification:
            raise DoctrineLoadError(file, f"{where}.justification", "is required for this type")
        if relation.key in seen:
            raise DoctrineLoadError(file, where, "is stated twice")
        _check_sources(manifest, relation.provenance, file, where)
        seen.add(relation.key)
        checked.append(relation)
    return Doctrine(manifest, list(by_id.values()), checked, relation_types)


def _check_sources(manifest: Manifest, provenance: Iterable[Any], file: str, where: str) -> None:
    for index, entry in enumerate(provenance):
        if entry.source not in manifest.sources:
            raise DoctrineLoadError(
                file,
                f"{where}.provenance[{index}].source",
                f"{entry.source!r} is not in the manifest",
            )
