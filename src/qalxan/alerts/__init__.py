"""Public warnings on the OASIS Common Alerting Protocol 1.2 (see docs/alerts.md).

The public surface::

    read_document(bytes) -> Document        every alert in a CAP document, EDXL-DE envelope or
                                            feed, each with its Report (never raises)
    parse_alert(bytes) -> Alert             exactly one valid alert, else InvalidAlert
    read_feed(bytes) -> Feed                an Atom or RSS feed's entries, else InvalidFeed
    write_alert(Alert) -> bytes             a CAP 1.2 document
    check_alert(Alert) -> Report            the rules the schema cannot express
    validate_alert(Alert) -> Report         schema and rules, for an alert built in code

Errors: InvalidAlert and InvalidFeed are InvalidInput (-> 422) carrying the whole Report; every
Problem names an element path such as ``alert/info[2]/area[1]/polygon[1]`` and a reason.
"""

from __future__ import annotations

from qalxan.alerts.atom import read_feed
from qalxan.alerts.feed import Entry, Feed
from qalxan.alerts.fields import Reference, format_timestamp, parse_timestamp
from qalxan.alerts.geometry import Point
from qalxan.alerts.model import Alert, Area, Circle, Info, Pair, Polygon, Resource
from qalxan.alerts.parse import Document, parse_alert, read_document
from qalxan.alerts.reading import Reading
from qalxan.alerts.report import InvalidAlert, InvalidFeed, Problem, Report
from qalxan.alerts.validate import check_alert, validate_alert
from qalxan.alerts.vocabulary import load_vocabulary
from qalxan.alerts.write import write_alert

__all__ = [
    "Alert",
    "Area",
    "Circle",
    "Document",
    "Entry",
    "Feed",
    "Info",
    "InvalidAlert",
    "InvalidFeed",
    "Pair",
    "Point",
    "Polygon",
    "Problem",
    "Reading",
    "Reference",
    "Report",
    "Resource",
    "check_alert",
    "format_timestamp",
    "load_vocabulary",
    "parse_alert",
    "parse_timestamp",
    "read_document",
    "read_feed",
    "validate_alert",
    "write_alert",
]
