"""An :class:`Alert` as a CAP 1.2 document: UTF-8, the schema's element order, indented.

``parse_alert(write_alert(a)) == a`` for every alert that passes the schema; texts are written
exactly as held. Signatures are written back as read; they no longer verify once the document
has been rewritten (the signed bytes differ), which docs/alerts.md explains.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.fields import format_timestamp
from qalxan.alerts.model import Alert, Area, Info, Pair, Resource
from qalxan.alerts.xmldoc import CAP12, parse_xml
from qalxan.errors import InvalidInput

Value = str | datetime | Decimal | int | None


def write_alert(alert: Alert) -> bytes:
    """The document; :class:`InvalidInput` naming the field when a value cannot be written
    (a time without an offset, a character XML does not allow)."""
    root = etree.Element(f"{{{CAP12}}}alert", nsmap={None: CAP12})
    writer = _Writer(root, "alert")
    writer.add("identifier", alert.identifier)
    writer.add("sender", alert.sender)
    writer.add("sent", alert.sent)
    writer.add("status", alert.status)
    writer.add("msgType", alert.msg_type)
    writer.add("source", alert.source)
    writer.add("scope", alert.scope)
    writer.add("restriction", alert.restriction)
    writer.add("addresses", alert.addresses)
    writer.many("code", alert.codes)
    writer.add("note", alert.note)
    writer.add("references", alert.references)
    writer.add("incidents", alert.incidents)
    for n, info in enumerate(alert.infos, 1):
        _info(writer.child("info", f"info[{n}]"), info)
    data = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    if not alert.signatures:
        return data
    # Appended after indenting, so that the signatures keep their own text to the byte.
    root = parse_xml(data, "alert")
    root[-1].tail = "\n  " if len(root) else None
    for n, signature in enumerate(alert.signatures, 1):
        element = parse_xml(signature.encode("utf-8"), f"alert/Signature[{n}]")
        element.tail = "\n"
        root.append(element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


class _Writer:
    def __init__(self, element: etree._Element, path: str) -> None:
        self.element = element
        self.path = path

    def child(self, name: str, step: str) -> _Writer:
        return _Writer(etree.SubElement(self.element, f"{{{CAP12}}}{name}"), f"{self.path}/{step}")

    def add(self, name: str, value: Value) -> None:
        if value is None:
            return
        field = f"{self.path}/{name}"
        if isinstance(value, datetime):
            text = format_timestamp(value, field)
        elif isinstance(value, Decimal):
            text = format(value, "f")
        else:
            text = str(value)
        try:
            etree.SubElement(self.element, f"{{{CAP12}}}{name}").text = text
        except ValueError as error:
            raise InvalidInput(f"{field}: {error}", field=field) from error

    def many(self, name: str, values: tuple[str, ...]) -> None:
        for value in values:
            self.add(name, value)

    def pairs(self, name: str, pairs: tuple[Pair, ...]) -> None:
        for n, pair in enumerate(pairs, 1):
            holder = self.child(name, f"{name}[{n}]")
            holder.add("valueName", pair.name)
            holder.add("value", pair.value)


def _info(writer: _Writer, info: Info) -> None:
    writer.add("language", info.language)
    writer.many("category", info.categories)
    writer.add("event", info.event)
    writer.many("responseType", info.response_types)
    writer.add("urgency", info.urgency)
    writer.add("severity", info.severity)
    writer.add("certainty", info.certainty)
    writer.add("audience", info.audience)
    writer.pairs("eventCode", info.event_codes)
    writer.add("effective", info.effective)
    writer.add("onset", info.onset)
    writer.add("expires", info.expires)
    writer.add("senderName", info.sender_name)
    writer.add("headline", info.headline)
    writer.add("description", info.description)
    writer.add("instruction", info.instruction)
    writer.add("web", info.web)
    writer.add("contact", info.contact)
    writer.pairs("parameter", info.parameters)
    for n, resource in enumerate(info.resources, 1):
        _resource(writer.child("resource", f"resource[{n}]"), resource)
    for n, area in enumerate(info.areas, 1):
        _area(writer.child("area", f"area[{n}]"), area)


def _resource(writer: _Writer, resource: Resource) -> None:
    writer.add("resourceDesc", resource.desc)
    writer.add("mimeType", resource.mime_type)
    writer.add("size", resource.size)
    writer.add("uri", resource.uri)
    writer.add("derefUri", resource.deref_uri)
    writer.add("digest", resource.digest)


def _area(writer: _Writer, area: Area) -> None:
    writer.add("areaDesc", area.desc)
    writer.many("polygon", tuple(polygon.text for polygon in area.polygons))
    writer.many("circle", tuple(circle.text for circle in area.circles))
    writer.pairs("geocode", area.geocodes)
    writer.add("altitude", area.altitude)
    writer.add("ceiling", area.ceiling)
