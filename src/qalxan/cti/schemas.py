"""The official STIX 2.1 JSON schemas shipped with Qalxan, compiled once per process.

The schemas are OASIS's own (``data/stix-schemas``, built by ``scripts/build_stix_schemas.py``)
and are resolved offline: every ``$ref`` is found among the shipped files by its ``$id``.

They are compiled with jsonschema-rs. stix2-validator's ``validate_instance`` reads and
recompiles the schemas for every object it checks (16 ms an object: 30 s for the ICS ATT&CK
bundle), and the ``jsonschema`` library, even with the schemas compiled once, takes 1.3 ms an
object (33 s for 25,000); jsonschema-rs checks the same schemas in about 12 µs an object.
Formats (``uri``, ``idn-hostname``, ``email``) are checked, as stix2-validator checks them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

SCHEMA_DIR = "data/stix-schemas"
# The folders whose file names are object types; in ``common`` only these name a type (the
# others, such as ``core`` or ``timestamp``, are parts that must never be taken for a type).
TYPE_FOLDERS = ("sdos", "sros", "observables")
COMMON_TYPES = ("marking-definition", "extension-definition", "language-content")
CORE = "core"
OBSERVABLE_CORE = "cyber-observable-core"


def directory() -> Path:
    """Where the shipped schemas are (``ValidationOptions(schema_dir=...)`` takes it too)."""
    return Path(str(resources.files("qalxan.cti").joinpath(SCHEMA_DIR)))


@cache
def _loaded() -> tuple[dict[str, dict[str, Any]], jsonschema_rs.Registry]:
    """Schemas by the type (or common part) they describe, and a registry of all of them."""
    root = directory()
    named: dict[str, dict[str, Any]] = {}
    resources_: list[tuple[str, Any]] = []
    for path in sorted(root.glob("*/*.json")):
        schema = json.loads(path.read_text("utf-8"))
        resources_.append((schema["$id"], schema))
        named[path.stem] = schema
    if CORE not in named or OBSERVABLE_CORE not in named or "bundle" not in named:
        raise RuntimeError(f"the STIX 2.1 schemas are incomplete in {root}")
    return named, jsonschema_rs.Registry(resources_)


@cache
def type_names() -> frozenset[str]:
    """The object types the specification defines a schema for."""
    root = directory()
    found = {p.stem for folder in TYPE_FOLDERS for p in (root / folder).glob("*.json")}
    return frozenset(found | set(COMMON_TYPES))


@cache
def validator(name: str) -> jsonschema_rs.Validator:
    """The compiled schema of a type, or of ``core`` / ``cyber-observable-core``."""
    named, registry = _loaded()
    return jsonschema_rs.validator_for(named[name], registry=registry, validate_formats=True)


def schema_name(obj: dict[str, Any]) -> str:
    """The schema an object is checked against: its type's, else the core schema that fits a
    custom object (an object without ``created`` and ``modified`` is a cyber-observable, as
    stix2-validator decides)."""
    stix_type = obj.get("type")
    if isinstance(stix_type, str) and stix_type in type_names():
        return stix_type
    if "created" in obj or "modified" in obj:
        return CORE
    return OBSERVABLE_CORE


@cache
def envelope() -> jsonschema_rs.Validator:
    """The bundle schema for the bundle itself; its objects are checked one by one (a failed
    ``oneOf`` over every type says nothing useful about what is wrong)."""
    named, registry = _loaded()
    schema = dict(named["bundle"])
    schema["properties"] = {
        **schema["properties"],
        "objects": {"type": "array", "items": {"type": "object"}, "minItems": 1},
    }
    return jsonschema_rs.validator_for(schema, registry=registry, validate_formats=True)
