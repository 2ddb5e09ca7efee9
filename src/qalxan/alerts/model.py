"""A CAP 1.2 alert as frozen dataclasses: everything the standard defines, nothing more.

Field order follows the schema's element order. Text fields keep the document's text exactly
(``None`` when the element is absent, ``""`` when it is present and empty) so that reading and
writing an alert changes nothing; the structured ones (``references``, ``addresses``,
``incidents``, polygons, circles) are read through methods. Codes (status, severity...) are the
standard's strings; the vocabulary lives in ``data/cap.yaml`` and the schema checks them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from qalxan.alerts import geometry
from qalxan.alerts.fields import Reference, parse_references, split_list
from qalxan.alerts.geometry import Point

IMPLICIT_LANGUAGE = "en-US"  # CAP 1.2, <language>: the value assumed when it is absent


@dataclass(frozen=True, slots=True)
class Pair:
    """A ``valueName``/``value`` pair: an eventCode, a parameter or a geocode."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Polygon:
    """A ``<polygon>``: whitespace-delimited ``lat,lon`` pairs as the document writes them."""

    text: str

    def points(self) -> tuple[Point, ...]:
        return geometry.parse_points(self.text)

    @classmethod
    def of(cls, points: Sequence[Point]) -> Polygon:
        """A polygon through ``points`` (give the first point again at the end: CAP rings are
        closed explicitly)."""
        return cls(geometry.format_points(points))


@dataclass(frozen=True, slots=True)
class Circle:
    """A ``<circle>``: ``'lat,lon radius'``, the radius in kilometres."""

    text: str

    def center(self) -> Point:
        return geometry.parse_circle(self.text)[0]

    def radius_km(self) -> float:
        return geometry.parse_circle(self.text)[1]

    @classmethod
    def of(cls, center: Point, radius_km: float) -> Circle:
        return cls(geometry.format_circle(center, radius_km))


@dataclass(frozen=True, slots=True)
class Area:
    desc: str
    polygons: tuple[Polygon, ...] = ()
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[Pair, ...] = ()
    altitude: Decimal | None = None  # feet above mean sea level
    ceiling: Decimal | None = None  # feet; only with an altitude


@dataclass(frozen=True, slots=True)
class Resource:
    desc: str
    mime_type: str
    size: int | None = None  # approximate, in bytes
    uri: str | None = None
    deref_uri: str | None = None  # the content itself, base64
    digest: str | None = None  # SHA-1 of the content, hex


@dataclass(frozen=True, slots=True)
class Info:
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    language: str | None = None
    response_types: tuple[str, ...] = ()
    audience: str | None = None
    event_codes: tuple[Pair, ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: tuple[Pair, ...] = ()
    resources: tuple[Resource, ...] = ()
    areas: tuple[Area, ...] = ()

    @property
    def lang(self) -> str:
        """The language in force: the element's value, or CAP's implicit ``en-US``."""
        return self.language or IMPLICIT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    source: str | None = None
    restriction: str | None = None
    addresses: str | None = None
    codes: tuple[str, ...] = ()
    note: str | None = None
    references: str | None = None
    incidents: str | None = None
    infos: tuple[Info, ...] = ()
    # The enveloped XML signatures (ds:Signature), serialised as read. Kept so that nothing is
    # lost; once an alert is rewritten they no longer match it (see docs/alerts.md).
    signatures: tuple[str, ...] = ()

    def reference_list(self) -> tuple[Reference, ...]:
        """The messages ``<references>`` names (InvalidInput when it cannot be read)."""
        return parse_references(self.references) if self.references else ()

    def address_list(self) -> tuple[str, ...]:
        return split_list(self.addresses, "addresses") if self.addresses else ()

    def incident_list(self) -> tuple[str, ...]:
        return split_list(self.incidents, "incidents") if self.incidents else ()

    @property
    def key(self) -> Reference:
        """How other messages refer to this one (``sender,identifier,sent``)."""
        return Reference(self.sender, self.identifier, self.sent)
