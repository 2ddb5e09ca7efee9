"""How the CERT's pages show a STIX object: its pattern in coloured tokens, its markings by
name, its external references with safe links, the incident a Qalxan sighting names, and the
rest of its properties as plain text.

Nothing here reads the database: it shapes what :mod:`qalxan.cti` returned, and
:func:`show` renders a CTI page with what all of them show. Text goes to the
templates as text (Jinja escapes it); a reference's URL becomes a link only when it is http or
https, so an object received from a partner cannot put a ``javascript:`` link on a page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi.responses import HTMLResponse

from qalxan.access import policy
from qalxan.access.markings import scheme
from qalxan.cti import markings, sightings
from qalxan.cti.correlation_rules import rules
from qalxan.doctrine.registry import Doctrine
from qalxan.web.routers.incident_pages import Desk

# Shown in their own sections of the object page, not in the table of other properties.
SHOWN_APART = frozenset(
    {
        "type",
        "id",
        "spec_version",
        "name",
        "description",
        "created",
        "modified",
        "revoked",
        "pattern",
        "kill_chain_phases",
        "external_references",
        "object_marking_refs",
    }
)
INCIDENT_SOURCE = "qalxan-incident"
STIX_ID = re.compile(r"^[a-z0-9-]+--[\w-]+$")
# STIX patterning (STIX 2.1, section 9): object paths, constants, operators, brackets. An
# object path is tried before a constant so that ``file:hashes.'SHA-256'`` stays one path.
TOKENS = re.compile(
    r"(?P<path>[a-z][a-z0-9-]*:(?:[\w-]+|'[^']*'|\.|\[(?:\d+|\*)\])+)"
    r"|(?P<literal>[bht]?'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?\b|\btrue\b|\bfalse\b)"
    r"|(?P<op>\b(?:AND|OR|NOT|FOLLOWEDBY|LIKE|MATCHES|ISSUBSET|ISSUPERSET|IN|EXISTS|WITHIN"
    r"|SECONDS|REPEATS|TIMES|START|STOP)\b|!=|<=|>=|=|<|>)"
    r"|(?P<bracket>[\[\]()])"
)


def show(desk: Desk, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A CTI page, with what every one of them shows: markings and the reader's permissions."""
    principal = desk.principal
    shell = {
        "tlps": scheme().tlp,
        "tlp_colours": tlp_colours(),
        "classifications": {c.rank: c for c in scheme().classifications},
        "may_import": policy.may_use(principal, "cti", "create"),
        "may_export": policy.may_use(principal, "cti", "export"),
        "is_cert": principal.agency_id == rules().cert_agency,
    }
    return desk.show(name, {**shell, **context}, status)


def pattern_tokens(pattern: str) -> list[tuple[str, str]]:
    """The pattern as (kind, text) pieces that join back to it exactly; kind is ``path``,
    ``literal``, ``op``, ``bracket`` or ``text``."""
    pieces: list[tuple[str, str]] = []
    at = 0
    for found in TOKENS.finditer(pattern):
        if found.start() > at:
            pieces.append(("text", pattern[at : found.start()]))
        pieces.append((found.lastgroup or "text", found.group()))
        at = found.end()
    if at < len(pattern):
        pieces.append(("text", pattern[at:]))
    return pieces


@dataclass(frozen=True)
class Marking:
    """One of an object's marking refs: a TLP (``code``), a national classification
    (``rank``), or another marking definition known only by its id."""

    ref: str
    tlp: str | None = None
    rank: int | None = None


def marking_of(ref: str) -> Marking:
    tlp = markings.tlp_of([ref])
    if tlp is not None:
        return Marking(ref, tlp=tlp)
    rank = markings.classification_of([ref])
    if rank > 0 or ref in _unclassified():
        return Marking(ref, rank=rank)
    return Marking(ref)


def _unclassified() -> set[str]:
    return {markings.classification_id(scheme().by_rank(0).code)}


def tlp_colours() -> dict[str, str]:
    """The platform's TLP colours (the marking scheme's), by code."""
    return {t.code: t.colour for t in scheme().tlp}


@dataclass(frozen=True)
class Reference:
    source: str
    external_id: str | None
    url: str | None  # a link only when http(s)
    text_url: str | None  # any other URL, shown as text
    description: str | None


def references(obj: dict[str, Any]) -> list[Reference]:
    found = []
    for ref in obj.get("external_references") or []:
        if not isinstance(ref, dict):
            continue
        url = ref.get("url")
        url = url if isinstance(url, str) and url else None
        safe = url is not None and url.lower().startswith(("https://", "http://"))
        found.append(
            Reference(
                str(ref.get("source_name", "")),
                _text(ref.get("external_id")),
                url if safe else None,
                None if safe else url,
                _text(ref.get("description")),
            )
        )
    return found


def incident_of(obj: dict[str, Any]) -> str | None:
    """The incident a Qalxan sighting was made from (its ``qalxan-incident`` reference)."""
    for ref in obj.get("external_references") or []:
        if isinstance(ref, dict) and ref.get("source_name") == INCIDENT_SOURCE:
            return _text(ref.get("external_id"))
    return None


def agencies_by_identity(doctrine: Doctrine) -> dict[str, str]:
    """The doctrine's agencies by the STIX identity id sightings name them with."""
    return {sightings.agency_identity_id(a.id): a.id for a in doctrine.of_kind("agency")}


def properties(obj: dict[str, Any]) -> list[tuple[str, str, str | list[str]]]:
    """The other properties as (name, kind, value): ``refs`` (ids of other objects, to link),
    ``text`` (plain values, lists joined by commas) or ``block`` (anything structured, as
    indented JSON)."""
    rows: list[tuple[str, str, str | list[str]]] = []
    for name, value in obj.items():
        if name in SHOWN_APART:
            continue
        if name.endswith("_ref") and isinstance(value, str) and STIX_ID.match(value):
            rows.append((name, "refs", [value]))
        elif name.endswith("_refs") and isinstance(value, list) and all(_is_id(v) for v in value):
            rows.append((name, "refs", [str(v) for v in value]))
        elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            rows.append((name, "text", ", ".join(map(str, value))))
        elif isinstance(value, dict | list):
            rows.append((name, "block", json.dumps(value, indent=2, ensure_ascii=False)))
        else:
            rows.append((name, "text", str(value)))
    return rows


def _is_id(value: object) -> bool:
    return isinstance(value, str) and STIX_ID.match(value) is not None


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
