"""The core's refusals of an alert, put next to the fields of the page form they concern.

The core names CAP elements (``alert/info[2]/area[1]/polygon[3]: not closed ...``); the page
has one field per shared element and one per language for the texts (see
:mod:`qalxan.web.alert_fields`), so ``info[n]`` is the n-th language written. An error the
form has no field for (a state conflict, the four-eyes rule) stays at the top of the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qalxan.alerts.report import Problem, Rejected
from qalxan.errors import InvalidInput, QalxanError

GENERAL = ""
# Elements of <info> written once per language, and their fields' names.
PER_LANGUAGE = {
    "event": "event",
    "headline": "headline",
    "description": "description",
    "instruction": "instruction",
    "audience": "audience",
    "senderName": "sender_name",
}
SHARED = {
    "category": "category",
    "responseType": "response_type",
    "urgency": "urgency",
    "severity": "severity",
    "certainty": "certainty",
    "eventCode": "event_codes",
    "effective": "effective",
    "onset": "onset",
    "expires": "expires",
    "web": "web",
    "contact": "contact",
    "parameter": "parameters",
    "language": "languages",
}
AREA = {
    "polygon": "polygons",
    "circle": "circles",
    "geocode": "geocodes",
    "altitude": "altitude",
    "ceiling": "ceiling",
    "district": "district",
}
ALERT = {"code": "codes", "msgType": GENERAL, "references": GENERAL, "info": "languages"}
_STEP = re.compile(r"([A-Za-z]+)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class Problems:
    """Every problem, and the field of the form each belongs to (:data:`GENERAL`: none)."""

    found: tuple[tuple[str, Problem], ...] = ()
    by_field: dict[str, list[Problem]] = field(default_factory=dict)

    def at(self, name: str) -> list[Problem]:
        return self.by_field.get(name, [])

    def __bool__(self) -> bool:
        return bool(self.found)


def problems_of(error: QalxanError, languages: Sequence[str]) -> Problems:
    """The problems of a refusal; ``languages``: the languages written, in the form's order."""
    if isinstance(error, Rejected):
        problems = list(error.report.errors)
    elif isinstance(error, InvalidInput) and error.field:
        prefix = f"{error.field}: "
        reason = error.message.removeprefix(prefix)
        problems = [Problem(error.field, reason)]
    else:
        problems = [Problem("", error.message)]
    found = tuple((field_of(p.path, languages), p) for p in problems)
    by_field: dict[str, list[Problem]] = {}
    for name, problem in found:
        by_field.setdefault(name, []).append(problem)
    return Problems(found, by_field)


def field_of(path: str, languages: Sequence[str]) -> str:
    """The form's field for an element path, or the path itself when it names a field."""
    if not path.startswith("alert"):
        return path
    steps = [_STEP.fullmatch(part) for part in path.split("/")[1:]]
    if not steps or any(step is None for step in steps):
        return GENERAL
    names = [(s[1], int(s[2]) if s[2] else None) for s in steps if s is not None]
    element, position = names[0]
    if element != "info":
        return ALERT.get(element, _snake(element))
    if len(names) == 1:
        return "languages"
    lang = languages[position - 1] if position and 0 < position <= len(languages) else None
    inner, n = names[1]
    if inner in PER_LANGUAGE:
        return f"{lang}_{PER_LANGUAGE[inner]}" if lang else "languages"
    if inner == "resource":
        return f"resource_{n or 1}"
    if inner == "area":
        if len(names) == 2:
            return "district"
        part = names[2][0]
        if part == "areaDesc":
            return f"{lang}_area_desc" if lang else "district"
        return AREA.get(part, "district")
    return SHARED.get(inner, GENERAL)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
