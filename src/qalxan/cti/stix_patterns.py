"""stix2-validator's ``patterns`` check, with a fast path for the patterns feeds are made of.

The validator parses every indicator's pattern twice with the ANTLR grammar of stix2-patterns:
about 5 ms a pattern, a minute and a half for 20,000 indicators. Nearly every pattern a CERT
receives is one observation of equality tests (``[ipv4-addr:value = '198.51.100.7']``,
``[file:hashes.'SHA-256' = '...' AND file:name = 'x.exe']``). Those are recognised here by a
strict subset of the grammar and given the validator's own checks on what the parser would
have found (type and property names, hash lengths); anything else, including every pattern
the subset is unsure of (keywords as names, list indexes, qualifiers, other literals), goes to
the validator unchanged. A test compares the two on every pattern of the shared examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from types import SimpleNamespace
from typing import Any

from stix2patterns.v21 import object_validator
from stix2validator.util import ValidationOptions
from stix2validator.v21 import enums, musts

TYPE = r"[a-zA-Z_][a-zA-Z0-9_-]*"
NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
STRING = r"'(?:[^'\\]|\\['\\])*'"
COMPARISON = re.compile(
    rf"\s*({TYPE}):({NAME}|{STRING})((?:\.(?:{NAME}|{STRING}))*)\s*(!?=)\s*({STRING})"
)
STEP = re.compile(rf"\.({NAME}|{STRING})")
# After a string literal a keyword may follow at once; a name after it needs a space.
JOIN = re.compile(r"\s*(AND|OR)\s+")
# Names the lexer reads as keywords or literals, never as identifiers.
KEYWORD_TEXT = (
    "AND OR NOT FOLLOWEDBY LIKE MATCHES ISSUPERSET ISSUBSET EXISTS LAST IN START STOP SECONDS "
    "TRUE FALSE true false WITHIN REPEATS TIMES t b h"
)
KEYWORDS = frozenset(KEYWORD_TEXT.split())
Comparisons = dict[str, list[tuple[list[str], str, str]]]


def check(instance: dict[str, Any], options: ValidationOptions) -> Iterator[Any]:
    """What the validator's ``patterns`` check finds in ``instance``."""
    if (
        instance["type"] != "indicator"
        or instance.get("pattern_type", "") != "stix"
        or not isinstance(instance.get("pattern"), str)
    ):
        return
    version = instance.get("pattern_version", instance.get("spec_version", "2.1"))
    found = simple(instance["pattern"]) if version == "2.1" else None
    if found is None:
        yield from musts.patterns(instance, options)
        return
    for reason in object_validator.verify_object(SimpleNamespace(comparisons=found)):
        yield musts.PatternError(reason, instance["id"])
    yield from _names(found, instance["id"])


@cache
def simple(pattern: str) -> Comparisons | None:
    """The comparisons of a one-observation equality pattern, as stix2-patterns' inspector
    lists them; None when the pattern is not of that simple kind."""
    text = pattern.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    inner, position = text[1:-1], 0
    found: Comparisons = {}
    while True:
        match = COMPARISON.match(inner, position)
        if match is None:
            return None
        stix_type, first, rest, operator, value = match.groups()
        path = [first, *(step.group(1) for step in STEP.finditer(rest))]
        if stix_type in KEYWORDS or any(part in KEYWORDS for part in path):
            return None
        found.setdefault(stix_type, []).append(([_unquote(p) for p in path], operator, value))
        position = match.end()
        if not inner[position:].strip():
            return found
        join = JOIN.match(inner, position)
        if join is None:
            return None
        position = join.end()


def _unquote(part: str) -> str:
    return part[1:-1] if part.startswith("'") else part


def _names(found: Comparisons, stix_id: str) -> Iterator[Any]:
    """The validator's checks of the object types and property names a pattern uses."""
    for stix_type, comparisons in found.items():
        if stix_type not in enums.OBSERVABLE_TYPES and (
            not musts.TYPE_FORMAT_RE.match(stix_type) or not 3 <= len(stix_type) <= 250
        ):
            yield musts.PatternError(f"'{stix_type}' is not a valid observable type name", stix_id)
        for path, _, _ in comparisons:
            prop = path[0]
            known = enums.OBSERVABLE_PROPERTIES.get(stix_type, ())
            if prop not in known and not musts.PROPERTY_FORMAT_RE.match(prop):
                yield musts.PatternError(
                    f"'{prop}' is not a valid observable property name", stix_id
                )
