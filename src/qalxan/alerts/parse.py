"""Reading CAP documents from bytes: a bare alert, an EDXL-DE envelope, or an Atom/RSS feed.

:func:`read_document` never raises on bad input: it returns what it found with every problem.
:func:`parse_alert` is the strict form for a document that must hold exactly one valid alert.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.atom import check_feed
from qalxan.alerts.feed import Feed
from qalxan.alerts.model import Alert
from qalxan.alerts.reading import Reading, read_alert_element
from qalxan.alerts.report import InvalidAlert, Report
from qalxan.alerts.xmldoc import ATOM, EDXL_DE, children, parse_xml, split_tag
from qalxan.errors import InvalidInput


@dataclass(frozen=True)
class Document:
    """What a document holds: ``kind`` (``alert``, ``envelope``, ``feed``, or ``unknown`` when
    it could not be read), the problems of the document itself, and each alert in it."""

    kind: str
    report: Report
    readings: tuple[Reading, ...] = ()
    feed: Feed | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok and all(reading.ok for reading in self.readings)

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return tuple(r.alert for r in self.readings if r.alert is not None)


def read_document(data: bytes) -> Document:
    try:
        root = parse_xml(data)
    except InvalidInput as error:
        return Document("unknown", Report.error("document", error.message.split(": ", 1)[1]))
    namespace, name = split_tag(root)
    if name == "alert":
        return Document("alert", Report(), (read_alert_element(root, "alert"),))
    if (namespace, name) == (EDXL_DE, "EDXLDistribution"):
        return _envelope(root)
    if (namespace, name) == (ATOM, "feed") or (namespace, name) == ("", "rss"):
        feed, report = check_feed(root)
        readings = tuple(e.reading for e in (feed.entries if feed else ()) if e.reading)
        return Document("feed", report, readings, feed)
    shown = f"{{{namespace}}}{name}" if namespace else name
    reason = f"{shown} is not a CAP alert, an EDXL-DE envelope or an Atom or RSS feed"
    return Document("unknown", Report.error("document", reason, root.sourceline))


def _envelope(root: etree._Element) -> Document:
    readings = []
    for n, content in enumerate(root.iterfind(f"{{{EDXL_DE}}}contentObject"), 1):
        for holder in content.iterfind(f"{{{EDXL_DE}}}xmlContent/{{{EDXL_DE}}}embeddedXMLContent"):
            for element in children(holder):
                if split_tag(element)[1] == "alert":
                    where = f"EDXLDistribution/contentObject[{n}]/xmlContent/alert"
                    readings.append(read_alert_element(element, where))
    if not readings:
        return Document("envelope", Report.error("EDXLDistribution", "carries no CAP alert"))
    return Document("envelope", Report(), tuple(readings))


def parse_alert(data: bytes) -> Alert:
    """The one valid CAP alert in ``data`` (a bare alert or an envelope holding one), or
    :class:`InvalidAlert` with every problem found."""
    document = read_document(data)
    if not document.report.ok:
        raise InvalidAlert(document.report)
    if document.kind not in ("alert", "envelope") or len(document.readings) != 1:
        count = len(document.readings)
        raise InvalidAlert(
            Report.error("document", f"expected one CAP alert, found {count} in a {document.kind}")
        )
    reading = document.readings[0]
    if reading.alert is None:
        raise InvalidAlert(reading.report)
    return reading.alert
