"""The warning desk's page form as a browser posts it, and the core's alert form it describes.

The page asks once for what the info blocks of a multilingual warning share (categories,
response, urgency, severity, certainty, times, web, contact, codes, parameters, resources and
the area) and, per language (``az``, ``ru``, ``en``), for its texts; a language whose texts are
all blank is left out. So every info block of a warning written here says the same thing in
its language. The core checks everything (:mod:`qalxan.alerts.authoring`); this module only
reads what browsers send: lists one per line (``name=value`` pairs, ``lat,lon radius``
circles), polygons as ``lat,lon`` points separated by a blank line, and ``datetime-local``
times, which carry no offset and are read in the installation's zone (to the minute).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timezone, tzinfo
from decimal import Decimal, InvalidOperation

from qalxan.alerts.form import AlertForm, AreaForm, CircleForm, InfoForm
from qalxan.alerts.geometry import Point, parse_circle, parse_points
from qalxan.alerts.model import Pair, Resource
from qalxan.errors import InvalidInput
from qalxan.web.forms import Form

LANGUAGES = ("az", "ru", "en")
# The longest accepted value of each field.
ALERT_TEXTS = {
    "status": 16,
    "scope": 16,
    "restriction": 1000,
    "addresses": 4000,
    "codes": 2000,
    "note": 2000,
    "source": 300,
    "incidents": 2000,
}
SHARED_TEXTS = {
    "urgency": 16,
    "severity": 16,
    "certainty": 16,
    "effective": 32,
    "onset": 32,
    "expires": 32,
    "web": 1000,
    "contact": 1000,
    "event_codes": 2000,
    "parameters": 4000,
    "polygons": 40000,
    "circles": 2000,
    "geocodes": 2000,
    "altitude": 20,
    "ceiling": 20,
}
LANGUAGE_TEXTS = {
    "event": 200,
    "headline": 300,
    "description": 8000,
    "instruction": 4000,
    "audience": 500,
    "sender_name": 300,
    "area_desc": 1000,
}
# A language is written when one of these is; its area description alone does not make it.
WRITTEN = ("event", "headline", "description", "instruction", "audience", "sender_name")
MULTI = {"category": 12, "response_type": 9, "district": 100}
RESOURCE_TEXTS = {"desc": 300, "mime": 100, "uri": 1000, "size": 20}
MAX_RESOURCES = 6
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
_SPACED_COMMA = re.compile(r"\s*,\s*")
_BLANK_LINE = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class ResourceRow:
    desc: str = ""
    mime: str = ""
    uri: str = ""
    size: str = ""


@dataclass(frozen=True)
class Typed:
    """The form's values as text, as typed or as prefilled from an alert."""

    texts: dict[str, str] = field(default_factory=dict)
    multi: dict[str, tuple[str, ...]] = field(default_factory=dict)
    resources: tuple[ResourceRow, ...] = ()

    def __getitem__(self, name: str) -> str:
        return self.texts.get(name, "")

    def chosen(self, name: str, code: str) -> bool:
        return code in self.multi.get(name, ())

    def languages(self) -> tuple[str, ...]:
        """The languages written, in the page's order."""
        return tuple(lang for lang in LANGUAGES if any(self[f"{lang}_{n}"] for n in WRITTEN))

    def resource_rows(self) -> tuple[ResourceRow, ...]:
        """The resources, and one blank row to add another."""
        return (*self.resources, ResourceRow())[:MAX_RESOURCES]


def every_text() -> dict[str, int]:
    per_language = {f"{lang}_{n}": size for lang in LANGUAGES for n, size in LANGUAGE_TEXTS.items()}
    return {**ALERT_TEXTS, **SHARED_TEXTS, **per_language}


def read(form: Form) -> Typed:
    """What was posted, stripped (lengths are checked by :func:`alert_form`)."""
    texts = {name: _raw(form, name) for name in every_text()}
    multi = {name: tuple(dict.fromkeys(form.many(name)))[:most] for name, most in MULTI.items()}
    rows = []
    for n in range(1, MAX_RESOURCES + 1):
        row = ResourceRow(*(_raw(form, f"resource_{n}_{part}") for part in RESOURCE_TEXTS))
        if any((row.desc, row.mime, row.uri, row.size)):
            rows.append(row)
    return Typed(texts, multi, tuple(rows))


def _raw(form: Form, name: str) -> str:
    value = form.data.get(name)
    return value.strip() if isinstance(value, str) else ""


def alert_form(typed: Typed, zone: tzinfo) -> AlertForm:
    """The core's form for what was typed; :class:`InvalidInput` naming the page's field when
    a value cannot be read."""
    for name, size in every_text().items():
        if len(typed[name]) > size:
            raise InvalidInput(f"{name}: at most {size} characters", field=name)
    area = AreaForm(
        districts=typed.multi.get("district", ()),
        polygons=polygons(typed["polygons"]),
        circles=circles(typed["circles"]),
        geocodes=pairs(typed["geocodes"], "geocodes"),
        altitude=feet(typed["altitude"], "altitude"),
        ceiling=feet(typed["ceiling"], "ceiling"),
    )
    located = bool(area.districts or area.polygons or area.circles or area.geocodes)
    shared = InfoForm(
        language="",
        categories=typed.multi.get("category", ()),
        event="",
        urgency=typed["urgency"],
        severity=typed["severity"],
        certainty=typed["certainty"],
        response_types=typed.multi.get("response_type", ()),
        event_codes=pairs(typed["event_codes"], "event_codes"),
        effective=local_time(typed["effective"], "effective", zone),
        onset=local_time(typed["onset"], "onset", zone),
        expires=local_time(typed["expires"], "expires", zone),
        web=typed["web"] or None,
        contact=typed["contact"] or None,
        parameters=pairs(typed["parameters"], "parameters"),
        resources=tuple(_resource(row, n) for n, row in enumerate(typed.resources, 1)),
    )
    infos = []
    for lang in typed.languages():
        desc = typed[f"{lang}_area_desc"]
        info = replace(
            shared,
            language=lang,
            event=typed[f"{lang}_event"],
            audience=typed[f"{lang}_audience"] or None,
            sender_name=typed[f"{lang}_sender_name"] or None,
            headline=typed[f"{lang}_headline"] or None,
            description=typed[f"{lang}_description"] or None,
            instruction=typed[f"{lang}_instruction"] or None,
            areas=(replace(area, desc=desc),) if located or desc else (),
        )
        infos.append(info)
    return AlertForm(
        infos=tuple(infos),
        status=typed["status"] or "Actual",
        scope=typed["scope"] or "Public",
        source=typed["source"] or None,
        restriction=typed["restriction"] or None,
        addresses=typed["addresses"] or None,
        codes=tuple(_lines(typed["codes"])),
        note=typed["note"] or None,
        incidents=typed["incidents"] or None,
    )


def _lines(text: str) -> Iterable[str]:
    return (line.strip() for line in text.splitlines() if line.strip())


def pairs(text: str, name: str) -> tuple[Pair, ...]:
    """``name=value`` lines."""
    found = []
    for line in _lines(text):
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"{name}: {line!r} is not 'name=value'", field=name)
        found.append(Pair(key.strip(), value.strip()))
    return tuple(found)


def polygon_blocks(text: str) -> list[str]:
    """The polygons of the text, each as ``lat,lon`` pairs separated by spaces."""
    blocks = (_SPACED_COMMA.sub(",", block).strip() for block in _BLANK_LINE.split(text))
    return [" ".join(block.split()) for block in blocks if block]


def polygons(text: str) -> tuple[tuple[Point, ...], ...]:
    return tuple(parse_points(block, "polygons") for block in polygon_blocks(text))


def circles(text: str) -> tuple[CircleForm, ...]:
    """``lat,lon radius`` lines (the radius in km)."""
    found = []
    for line in _lines(text):
        center, radius = parse_circle(_SPACED_COMMA.sub(",", line), "circles")
        found.append(CircleForm(center, radius))
    return tuple(found)


def feet(text: str, name: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"{name}: a number of feet", field=name) from None
    if not value.is_finite():
        raise InvalidInput(f"{name}: a number of feet", field=name)
    return value


def local_time(text: str, name: str, zone: tzinfo) -> datetime | None:
    """A ``datetime-local`` value in ``zone``, with the fixed UTC offset CAP writes."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: a date and time as YYYY-MM-DDTHH:MM", field=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    offset = moment.utcoffset()
    fixed = timezone(offset) if offset else UTC
    return moment.astimezone(fixed).replace(second=0, microsecond=0)


def local_value(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime(LOCAL_MINUTE) if moment else ""


def _resource(row: ResourceRow, n: int) -> Resource:
    name = f"resource_{n}"
    for part, size in RESOURCE_TEXTS.items():
        if len(getattr(row, part)) > size:
            raise InvalidInput(f"{name}: {part}: at most {size} characters", field=name)
    size_bytes = None
    if row.size:
        if not row.size.isdigit():
            raise InvalidInput(f"{name}: the size is a whole number of bytes", field=name)
        size_bytes = int(row.size)
    return Resource(desc=row.desc, mime_type=row.mime, size=size_bytes, uri=row.uri or None)
