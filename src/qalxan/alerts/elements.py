"""A schema-valid CAP 1.2 ``alert`` element as an :class:`~qalxan.alerts.model.Alert`.

Only called once the schema has accepted the element, so shapes and codes are not checked here;
texts are kept exactly, except for the values whose XSD type collapses whitespace (timestamps,
numbers, URIs, language tags), which are stripped.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.fields import parse_timestamp
from qalxan.alerts.model import Alert, Area, Circle, Info, Pair, Polygon, Resource
from qalxan.alerts.xmldoc import CAP12, XMLDSIG

Fields = dict[str, list[etree._Element]]


_CAP = f"{{{CAP12}}}"
_DSIG = f"{{{XMLDSIG}}}"


def _fields(element: etree._Element) -> Fields:
    found: Fields = defaultdict(list)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag.startswith(_CAP):
            found[tag[len(_CAP) :]].append(child)
        elif tag.startswith(_DSIG):
            found["#signature"].append(child)
    return found


def _text(fields: Fields, name: str) -> str | None:
    found = fields.get(name)
    return (found[0].text or "") if found else None


def _required(fields: Fields, name: str) -> str:
    return _text(fields, name) or ""


def _stripped(fields: Fields, name: str) -> str | None:
    text = _text(fields, name)
    return None if text is None else text.strip()


def _texts(fields: Fields, name: str) -> tuple[str, ...]:
    return tuple(element.text or "" for element in fields.get(name, ()))


def _when(fields: Fields, name: str, path: str) -> datetime | None:
    text = _text(fields, name)
    return None if text is None else parse_timestamp(text, path)


def _decimal(fields: Fields, name: str) -> Decimal | None:
    text = _stripped(fields, name)
    return None if text is None else Decimal(text)


def _pairs(fields: Fields, name: str) -> tuple[Pair, ...]:
    pairs = []
    for element in fields.get(name, ()):
        inner = _fields(element)
        pairs.append(Pair(_required(inner, "valueName"), _required(inner, "value")))
    return tuple(pairs)


def alert_from_element(root: etree._Element) -> Alert:
    fields = _fields(root)
    return Alert(
        identifier=_required(fields, "identifier"),
        sender=_required(fields, "sender"),
        sent=parse_timestamp(_required(fields, "sent"), "alert/sent"),
        status=_required(fields, "status"),
        msg_type=_required(fields, "msgType"),
        scope=_required(fields, "scope"),
        source=_text(fields, "source"),
        restriction=_text(fields, "restriction"),
        addresses=_text(fields, "addresses"),
        codes=_texts(fields, "code"),
        note=_text(fields, "note"),
        references=_text(fields, "references"),
        incidents=_text(fields, "incidents"),
        infos=tuple(
            _info(_fields(element), f"alert/info[{n}]")
            for n, element in enumerate(fields.get("info", ()), 1)
        ),
        signatures=tuple(
            etree.tostring(element, encoding="unicode", with_tail=False)
            for element in fields.get("#signature", ())
        ),
    )


def _info(fields: Fields, path: str) -> Info:
    return Info(
        language=_stripped(fields, "language"),
        categories=_texts(fields, "category"),
        event=_required(fields, "event"),
        response_types=_texts(fields, "responseType"),
        urgency=_required(fields, "urgency"),
        severity=_required(fields, "severity"),
        certainty=_required(fields, "certainty"),
        audience=_text(fields, "audience"),
        event_codes=_pairs(fields, "eventCode"),
        effective=_when(fields, "effective", f"{path}/effective"),
        onset=_when(fields, "onset", f"{path}/onset"),
        expires=_when(fields, "expires", f"{path}/expires"),
        sender_name=_text(fields, "senderName"),
        headline=_text(fields, "headline"),
        description=_text(fields, "description"),
        instruction=_text(fields, "instruction"),
        web=_stripped(fields, "web"),
        contact=_text(fields, "contact"),
        parameters=_pairs(fields, "parameter"),
        resources=tuple(_resource(_fields(e)) for e in fields.get("resource", ())),
        areas=tuple(_area(_fields(e)) for e in fields.get("area", ())),
    )


def _resource(fields: Fields) -> Resource:
    size = _stripped(fields, "size")
    return Resource(
        desc=_required(fields, "resourceDesc"),
        mime_type=_required(fields, "mimeType"),
        size=None if size is None else int(size),
        uri=_stripped(fields, "uri"),
        deref_uri=_text(fields, "derefUri"),
        digest=_text(fields, "digest"),
    )


def _area(fields: Fields) -> Area:
    return Area(
        desc=_required(fields, "areaDesc"),
        polygons=tuple(Polygon(text) for text in _texts(fields, "polygon")),
        circles=tuple(Circle(text) for text in _texts(fields, "circle")),
        geocodes=_pairs(fields, "geocode"),
        altitude=_decimal(fields, "altitude"),
        ceiling=_decimal(fields, "ceiling"),
    )
