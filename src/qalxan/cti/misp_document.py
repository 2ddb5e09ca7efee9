"""Where the events are in a MISP JSON document, and a clear refusal when there are none.

MISP hands events out in three shapes: ``{"Event": {...}}`` (an event export, events/view),
the bare event object (PyMISP's ``to_json``), and ``{"response": [{"Event": ...}, ...]}``
(restSearch); PyMISP's own searches return a plain list of ``{"Event": ...}``. Other MISP
documents (the event index, sharing groups, a lone attribute or object) are recognised by the
keys only they carry and refused by name, so that whoever uploaded one learns what it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qalxan.cti.misp_problems import InvalidMispEvent, Problem

# Keys no event carries: the document is something else, whatever else it has.
NEVER_IN_EVENTS: tuple[tuple[str, str], ...] = (
    ("EventTag", "a row of MISP's event index (events/index): a summary without attributes"),
    ("template_uuid", "a MISP object, not an event (wrap it in an event's Object list)"),
    ("object_relation", "an attribute of a MISP object, not an event"),
)
# Keys that make an event of a bare object.
EVENT_KEYS = frozenset({"info", "Attribute", "Object"})
# Keys an event may carry too (an event shared with a sharing group has "SharingGroup"), so
# they only tell what the document is once the event keys are absent.
OTHER_DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("SharingGroup", "a MISP sharing group, not an event"),
    ("Organisation", "a MISP organisation, not an event"),
)
WEAK_EVENT_KEYS = frozenset({"Galaxy", "Tag", "Orgc", "date", "threat_level_id"})
EXPECTED = 'expected {"Event": {...}}, a bare event or {"response": [{"Event": ...}]}'


@dataclass(frozen=True)
class Located:
    """One event of the document and the JSON path its problems are named under."""

    path: str
    event: dict[str, Any]


def from_json(raw: str | bytes) -> object:
    """The parsed document, or :class:`InvalidMispEvent` saying where the JSON breaks."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InvalidMispEvent([Problem("", f"not UTF-8 text: {exc.reason}")]) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InvalidMispEvent([Problem("", f"not JSON: {exc.msg} at {where}")]) from None


def events_in(document: object) -> list[Located]:
    """Every event ``document`` holds, or :class:`InvalidMispEvent` when it holds none."""
    problems: list[Problem] = []
    found: list[Located] = []
    if isinstance(document, list):
        if not document:
            problems.append(Problem("", f"an empty list holds no MISP event; {EXPECTED}"))
        for index, item in enumerate(document):
            _one(item, f"[{index}]", found, problems)
    elif isinstance(document, Mapping) and "response" in document and "Event" not in document:
        response = document["response"]
        if isinstance(response, list) and response:
            for index, item in enumerate(response):
                _one(item, f"response[{index}]", found, problems)
        elif isinstance(response, Mapping) and "Attribute" in response:
            reason = "a restSearch result of attributes, not events; search events instead"
            problems.append(Problem("response", reason))
        else:
            problems.append(Problem("response", "must be a non-empty list of events"))
    else:
        _one(document, "", found, problems)
    if problems:
        raise InvalidMispEvent(problems)
    return found


def _one(item: object, path: str, found: list[Located], problems: list[Problem]) -> None:
    event_path = f"{path}.Event" if path else "Event"
    if not isinstance(item, Mapping):
        kind = "list" if isinstance(item, list) else type(item).__name__
        problems.append(Problem(path, f"not a MISP event: a JSON {kind}; {EXPECTED}"))
    elif "Event" in item:
        event = item["Event"]
        if isinstance(event, Mapping):
            found.append(Located(event_path, dict(event)))
        else:
            problems.append(Problem(event_path, "must be an object"))
    elif reason := _not_an_event(item):
        problems.append(Problem(path, reason))
    else:
        found.append(Located(event_path, dict(item)))


def _not_an_event(item: Mapping[str, Any]) -> str | None:
    for key, reason in NEVER_IN_EVENTS:
        if key in item:
            return reason
    if EVENT_KEYS & item.keys():
        return None
    for key, reason in OTHER_DOCUMENTS:
        if key in item:
            return reason
    if WEAK_EVENT_KEYS & item.keys():
        return None
    if "type" in item and "value" in item:
        return "a MISP attribute, not an event (wrap it in an event's Attribute list)"
    keys = ", ".join(sorted(map(str, item))[:8]) or "none"
    return f"not a MISP event (keys: {keys}); {EXPECTED}"
