"""Validation of MISP events against the MISP event JSON schema and MISP's attribute rules.

The schema is the one PyMISP ships (``pymisp/data/schema-lax.json``), read from the installed
package. The lax variant is the one PyMISP itself loads events with: the strict
``schema.json`` forbids keys every current MISP export carries (``Object``, ``Galaxy`` on an
attribute, ``object_relation``) and refuses all but the smallest shared sample events. Neither
describes ``Object``, so objects are given a definition here whose attributes use the
schema's own attribute definition, and attributes are given their ``object_relation``,
``Galaxy`` and ``Sighting`` members. The schema's ``uniqueItems`` is checked by hashing, not by
jsonschema's pairwise comparison, which is quadratic (10,000 attributes would take minutes).

What no schema can express (known types and categories, values, uuids, timestamps) is in
:mod:`qalxan.cti.misp_rules`. Every problem of every event is collected before one
:class:`~qalxan.cti.misp_problems.InvalidMispEvent` (an ``InvalidInput``) is raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

# jsonschema ships no type information and the project has no stubs for it.
from jsonschema import Draft4Validator, ValidationError, validators

from qalxan.cti.misp_document import Located, events_in
from qalxan.cti.misp_problems import InvalidMispEvent, Problem, join
from qalxan.cti.misp_rules import event_problems

SCHEMA_FILE = "data/schema-lax.json"
OBJECT_DEFINITION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "uuid": {"type": "string"},
        "timestamp": {"type": "string"},
        "distribution": {"type": "string"},
        "comment": {"type": "string"},
        "Attribute": {"type": "array", "items": {"$ref": "#/defs/attribute"}},
        "ObjectReference": {"type": "array", "items": {"type": "object"}},
    },
}
SIGHTING_DEFINITION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "uuid": {"type": "string"},
        "type": {"type": "string"},
        "date_sighting": {"type": "string"},
        "source": {"type": "string"},
        "Organisation": {"$ref": "#/defs/org"},
    },
}
JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}


def validate(document: object) -> list[Located]:
    """The events of a MISP document, each checked; :class:`InvalidMispEvent` lists all faults."""
    located = events_in(document)
    problems: list[Problem] = []
    for one in located:
        found = list(schema_problems(one))
        # Rules read the structure the schema vouches for: with a broken shape they would
        # only repeat the schema's complaint.
        problems.extend(found or event_problems(one))
    if problems:
        raise InvalidMispEvent(problems)
    return located


def schema_problems(one: Located) -> Iterator[Problem]:
    for error in _validator().iter_errors(one.event):
        path = one.path
        for key in error.absolute_path:
            path = join(path, key)
        yield _problem(path, error)


def _problem(path: str, error: ValidationError) -> Problem:
    if error.validator == "type":
        found = JSON_TYPES.get(type(error.instance), json.dumps(error.instance)[:40])
        return Problem(path, f"must be of type {error.validator_value}, not {found}")
    return Problem(path, error.message[:200])


def _unique_items(
    validator: Any, unique: bool, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not unique or not isinstance(instance, list):
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(instance):
        key = json.dumps(item, sort_keys=True, default=str)
        if key in seen:
            error = ValidationError(f"repeats item [{seen[key]}] of the same list")
            error.relative_path.append(index)
            yield error
        else:
            seen[key] = index


@lru_cache(maxsize=1)
def _validator() -> Any:
    text = resources.files("pymisp").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema = json.loads(text)
    event = schema["defs"]["event"]
    event["properties"].setdefault("Object", {"type": "array", "items": OBJECT_DEFINITION})
    attribute = schema["defs"]["attribute"]["properties"]
    attribute.setdefault("object_relation", {"type": ["string", "null"]})
    attribute.setdefault("Galaxy", {"type": "array", "items": {"$ref": "#/defs/galaxy"}})
    attribute.setdefault("Sighting", {"type": "array", "items": SIGHTING_DEFINITION})
    root = {"$ref": "#/defs/event", "defs": schema["defs"]}
    checker = validators.extend(Draft4Validator, {"uniqueItems": _unique_items})
    return checker(root)
