"""stix2-validator's own MUST and SHOULD checks, run one object at a time.

The checks are the validator's functions, called directly (its ``validate_instance`` would
also recompile the schemas for every object). Two are made faster: its ``timestamp`` check
parses every timestamp with dateutil to catch dates the schema's pattern lets through
(30 February, a 60th second), which took two thirds of all validation time; :func:`timestamps`
makes the same check on the same properties by building the date. Its ``patterns`` check gets
a fast path for simple patterns (:mod:`qalxan.cti.stix_patterns`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from stix2validator.util import ValidationOptions, has_cyber_observable_data
from stix2validator.v21 import enums, musts, shoulds

from qalxan.cti import schemas, stix_patterns

# The checks that look at these types only: each starts by returning for any other type.
ONLY = {
    "object_marking_circular_refs": ("marking-definition",),
    "granular_markings_circular_refs": ("marking-definition",),
    "language_contents": ("language-content",),
    "process": ("process",),
    "uuid_version_check": (
        "artifact",
        "email-message",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    ),
    "patterns": ("indicator",),
}
# The checks the validator decorates to look at cyber-observables (and at the objects
# embedded in observed-data) only.
OBSERVABLE_ONLY = frozenset(
    {
        "observable_timestamp_compare",
        "observable_object_references",
        "artifact_mime_type",
        "character_set",
        "software_language",
    }
)
Check = Callable[[dict[str, Any]], Any]
Named = tuple[str, Check]
TIMESTAMP = re.compile(
    r"^([0-9]{4})-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?Z$"
)


def run(checks: list[Named], data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(check name, message) of everything the checks find in ``data``."""
    for name, check in checks:
        try:
            result = check(data)
            if result is None:
                continue
            found = [result] if isinstance(result, Exception) else list(result)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # A check that fails on content the schemas accepted cannot vouch for it.
            yield name, f"stix2-validator's check {name} could not run on it ({exc!r})"
            continue
        for error in found:
            text = str(getattr(error, "message", error))
            yield name, re.sub(r"^\{\d+\} ", "", text).strip()


@cache
def options() -> ValidationOptions:
    return ValidationOptions(version="2.1", schema_dir=str(schemas.directory()))


def _bound(function: Callable[..., Any]) -> Named:
    # stix2-validator's checks take (instance) or (instance, options); its decorated
    # observable checks take (*args) and pass only the instance on.
    parameters = inspect.signature(function).parameters.values()
    if len(parameters) == 1 or any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return function.__name__, function
    return function.__name__, lambda data: function(data, options())


@cache
def must_checks() -> list[Named]:
    replaced = {"timestamp": timestamps, "timestamp_compare": ordered, "patterns": _patterns}
    return [
        (f.__name__, replaced[f.__name__]) if f.__name__ in replaced else _bound(f)
        for f in musts.list_musts(options())
    ]


@lru_cache(maxsize=512)
def musts_for(stix_type: str) -> list[Named]:
    """The MUST checks that can find anything in an object of ``stix_type``: most look at one
    type only and return at once for any other (see :data:`ONLY`), which, called for every
    object, took as long as the checks that apply."""
    observable = stix_type == "observed-data" or stix_type in enums.OBSERVABLE_TYPES
    return [
        (name, check)
        for name, check in must_checks()
        if (name not in ONLY or stix_type in ONLY[name])
        and (name not in OBSERVABLE_ONLY or observable)
    ]


def _patterns(instance: dict[str, Any]) -> Iterator[Any]:
    return stix_patterns.check(instance, options())


@cache
def should_checks(names: tuple[str, ...]) -> list[Named]:
    return [_bound(getattr(shoulds, name)) for name in names]


def timestamps(instance: dict[str, Any]) -> Iterator[str]:
    """The validator's ``timestamp`` check: every timestamp names a moment that exists."""
    stix_type = instance["type"]
    for key in ("created", "modified", *enums.TIMESTAMP_PROPERTIES.get(stix_type, ())):
        yield from _moment(instance, key, key)
    if not has_cyber_observable_data(instance, "2.1") or "objects" in instance:
        return  # the validator does not reach into observed-data's embedded objects either
    for key in enums.TIMESTAMP_OBSERVABLE_PROPERTIES.get(stix_type, ()):
        yield from _moment(instance, key, f"{stix_type}: {key}")
    for embed, keys in enums.TIMESTAMP_EMBEDDED_PROPERTIES.get(stix_type, {}).items():
        holder = instance.get(embed)
        if not isinstance(holder, Mapping):
            continue
        inner: Iterable[tuple[str, Any]] = (
            holder.items() if embed == "extensions" else [(embed, holder)]
        )
        for name, part in inner:
            for key in keys:
                if isinstance(part, Mapping):
                    yield from _moment(part, key, f"{stix_type}: {name}: {key}")


def ordered(instance: dict[str, Any]) -> Iterator[str]:
    """The validator's ``timestamp_compare`` check (``modified`` not before ``created``, a
    campaign's ``last_seen`` not before its ``first_seen``...), comparing the timestamps
    themselves instead of parsing each twice with ``strptime``."""
    pairs = [("modified", "ge", "created"), *enums.TIMESTAMP_COMPARE.get(instance["type"], [])]
    for first, op, second in pairs:
        if first not in instance or second not in instance:
            continue
        left, right = _sortable(instance[first]), _sortable(instance[second])
        if not (left >= right if op == "ge" else left > right):
            comparison = "later than or equal to" if op == "ge" else "later than"
            yield (
                f"'{first}' ({instance[first]}) must be {comparison} "
                f"'{second}' ({instance[second]})"
            )


def _sortable(value: Any) -> tuple[str, str]:
    match = TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        return (str(value), "")
    return (value[:19], (match.group(7) or ".")[1:].ljust(12, "0"))


def _moment(holder: Mapping[str, Any], key: str, label: str) -> Iterator[str]:
    value = holder.get(key)
    match = TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        return  # absent, or the schema's to refuse
    try:
        year, month, day, hour, minute, second = (int(p) for p in match.groups()[:6])
        datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        yield f"'{label.split(': ')[-1]}': '{value}' is not a valid timestamp: {exc}"
