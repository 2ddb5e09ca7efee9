"""The warning desk's alert form: what an author fills in, as plain dataclasses.

It mirrors the CAP 1.2 model (:mod:`qalxan.alerts.model`) with everything the standard defines,
less what the desk assigns itself: ``identifier``, ``sender`` and ``sent`` (at issue),
``msgType`` and ``references`` (by the workflow: a new draft is an ``Alert``, an update or a
cancellation names the alert it replaces). An area is given as districts of Azerbaijan (their
polygons and geocodes are added), polygons drawn by hand and circles, or all three.

Empty texts mean "absent". Times must carry a UTC offset; CAP has no way to write a naive time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from qalxan.alerts.geometry import Point
from qalxan.alerts.model import Pair, Resource


@dataclass(frozen=True, slots=True)
class CircleForm:
    center: Point
    radius_km: float


@dataclass(frozen=True, slots=True)
class AreaForm:
    """An ``<area>``. ``districts``: ISO 3166-2:AZ codes (``AZ-SAK``) or names in any language
    the gazetteer knows; ``polygons``: rings drawn by hand (closed automatically when the last
    point is not the first). ``desc`` may stay empty when districts are given: their names in the
    info's language are used."""

    desc: str = ""
    districts: tuple[str, ...] = ()
    polygons: tuple[tuple[Point, ...], ...] = ()
    circles: tuple[CircleForm, ...] = ()
    geocodes: tuple[Pair, ...] = ()
    altitude: Decimal | None = None  # feet above mean sea level
    ceiling: Decimal | None = None  # feet; only with an altitude


@dataclass(frozen=True, slots=True)
class InfoForm:
    """An ``<info>`` block, one per language (``az``, ``ru``, ``en``)."""

    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
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
    areas: tuple[AreaForm, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertForm:
    """The message: its handling (status, scope and who may see it) and its info blocks."""

    infos: tuple[InfoForm, ...]
    status: str = "Actual"
    scope: str = "Public"
    source: str | None = None
    restriction: str | None = None  # required when scope is Restricted
    addresses: str | None = None  # required when scope is Private
    codes: tuple[str, ...] = ()
    note: str | None = None
    incidents: str | None = None
