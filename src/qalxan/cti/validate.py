"""STIX 2.1 validation: the official schemas, then stix2-validator's MUST checks; a few of its
SHOULD checks are reported as warnings and never reject.

Each problem names the object, the property (``external_references[0].url``) and the reason.
The schemas come first (:mod:`qalxan.cti.schemas`); the MUST checks (timestamps that exist,
``modified`` not before ``created``, valid patterns, marking selectors, observable references,
languages, UUID versions...) run only on an object the schemas accept, since they read the
structure the schemas vouch for.

The SHOULD checks kept are those that tell the CERT something it can act on: ids that are not
UUIDv4 (UUIDv5 for cyber-observables, which is what lets two producers' observables merge),
deprecated properties, hash algorithm names outside the vocabulary and overlong hash names
(hashes are matched by algorithm), and indicator pattern languages other than the known ones
(only STIX patterns are correlated). The rest are left out: open vocabularies are open by
design, and ATT&CK's ``x_mitre_*`` properties and objects alone raise ten thousand
"use an extension" warnings that nobody can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import jsonschema_rs

from qalxan.cti import schemas
from qalxan.errors import InvalidInput

LISTED = 10  # problems named in an error message
PER_OBJECT = 20  # a badly broken object says enough after this many
SHOULDS = ("uuid_check", "deprecated_property_check", "vocab_hash_algo", "hash_length")
SHOULDS_OF_INDICATORS = ("vocab_pattern_type",)
# core.json demands milliseconds of ``created`` and ``modified`` in a second pattern.
MILLISECONDS = re.compile(r"/properties/(created|modified)/allOf/1/pattern$")
# The property a check looks at, when its message does not name it.
CHECKED_PROPERTY = {
    "patterns": "pattern",
    "uuid_check": "id",
    "uuid_version_check": "id",
    "process": "id",
    "vocab_hash_algo": "hashes",
    "hash_length": "hashes",
    "vocab_pattern_type": "pattern_type",
    "object_marking_circular_refs": "object_marking_refs",
    "granular_markings_circular_refs": "granular_markings",
    "marking_selector_syntax": "granular_markings",
}
QUOTED = re.compile(r"'([a-z0-9_]{2,250})'")


@dataclass(frozen=True)
class Problem:
    """One rule an object breaks: its id, the property path and the reason."""

    stix_id: str
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.stix_id}: {self.path}" if self.path else self.stix_id
        return f"{where}: {self.reason}"


@dataclass
class Checked:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class InvalidStix(InvalidInput):
    """STIX content that breaks the specification; ``problems`` holds every rule it breaks."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("InvalidStix needs at least one problem")
        shown = "; ".join(str(p) for p in problems[:LISTED])
        more = len(problems) - LISTED
        super().__init__(f"{shown}; and {more} more" if more > 0 else shown, problems[0].path)
        self.problems = tuple(problems)


def check(
    objects: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
) -> Checked:
    """The errors and warnings of every object."""
    found = Checked()
    for obj in objects:
        errors = errors_of(obj)
        found.errors.extend(errors)
        if not errors:
            found.warnings.extend(warnings_of(obj))
        if progress is not None:
            progress(1)
    return found


def require_valid(objects: Iterable[Mapping[str, Any]]) -> Checked:
    """:func:`check`, raising :class:`InvalidStix` when any object breaks a rule."""
    found = check(objects)
    if found.errors:
        raise InvalidStix(found.errors)
    return found


def errors_of(obj: Mapping[str, Any]) -> list[Problem]:
    """What makes one object invalid STIX 2.1 (nothing when it is valid)."""
    if not isinstance(obj, Mapping):
        return [Problem("(not an object)", "", f"a STIX object is a JSON object, not {_kind(obj)}")]
    data = dict(obj)
    if not isinstance(data.get("type"), str):
        return [Problem(_id(data), "type", "required: a string naming the object's type")]
    stix_id = _id(data)
    problems = _schema(stix_id, schemas.validator(schemas.schema_name(data)), data)
    embedded = data.get("objects") if data["type"] == "observed-data" else None
    if isinstance(embedded, dict):  # deprecated in 2.1, still allowed: checked one by one
        for key, value in embedded.items():
            if isinstance(value, dict):
                inner = value.get("type")
                name = inner if inner in schemas.type_names() else schemas.OBSERVABLE_CORE
                problems += _schema(stix_id, schemas.validator(name), value, f"objects.{key}")
    if problems:
        return problems[:PER_OBJECT]
    checks = _checks()
    found = checks.run(checks.musts_for(data["type"]), data)
    return [Problem(stix_id, _property(name, text, data), text) for name, text in found]


def warnings_of(obj: Mapping[str, Any]) -> list[Problem]:
    """What the CERT should know about a valid object but need not refuse it for."""
    data = dict(obj)
    names = SHOULDS + (SHOULDS_OF_INDICATORS if data.get("type") == "indicator" else ())
    checks = _checks()
    found = checks.run(checks.should_checks(names), data)
    return [Problem(_id(data), _property(name, text, data), text) for name, text in found]


def _checks() -> ModuleType:
    """stix2-validator's checks, imported on first use: importing the validator (and the
    IRI grammar jsonschema builds under it) takes seconds, which every web worker and every
    ``qalxan`` command would otherwise pay at start."""
    from qalxan.cti import stix_checks

    return stix_checks


def bundle_errors(envelope: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with a bundle itself (its objects are checked one by one)."""
    stix_id = str(envelope.get("id") or "(bundle)")
    return _schema(stix_id, schemas.envelope(), dict(envelope))


def _schema(
    stix_id: str, validator: jsonschema_rs.Validator, data: dict[str, Any], prefix: str = ""
) -> list[Problem]:
    problems = []
    for error in validator.iter_errors(data):
        path = _path([prefix] if prefix else [], list(error.instance_path))
        kind = error.kind.as_dict()
        if "property" in kind and error.kind.name == "required":
            path = _path([path] if path else [], [kind["property"]])
        problems.append(Problem(stix_id, path, _schema_reason(error)))
    return sorted(problems, key=lambda p: p.path)


def _schema_reason(error: jsonschema_rs.ValidationError) -> str:
    name = error.kind.name
    where = error.absolute_keyword_location or ""
    value = _short(error.instance)
    if name == "required":
        return "required"
    if name == "pattern" and where.endswith("timestamp.json#/pattern"):
        return f"{value} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"
    if name == "pattern" and where.endswith("identifier.json#/pattern"):
        return f"{value} is not a STIX identifier (<type>--<UUID>)"
    if (
        name == "pattern"
        and "/allOf/1/pattern" in where
        and ("created" in where or "modif" in where)
    ):
        return f"{value} needs millisecond precision (YYYY-MM-DDTHH:MM:SS.sssZ)"
    if name in ("oneOf", "anyOf"):
        return "matches none of the forms the specification allows"
    return error.message if len(error.message) <= 300 else error.message[:297] + "..."


def _property(check: str, message: str, data: dict[str, Any]) -> str:
    """The property a check is about: its own, else the first quoted name the object has."""
    if check in CHECKED_PROPERTY:
        return CHECKED_PROPERTY[check]
    for name in QUOTED.findall(message):
        if name in data:
            return str(name)
    return ""


def _path(head: list[str], parts: list[str | int]) -> str:
    text = "".join(head)
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else str(part)
    return text


def _id(obj: Any) -> str:
    value = obj.get("id") if isinstance(obj, Mapping) else None
    return value[:128] if isinstance(value, str) and value else "(no id)"


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a value")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
