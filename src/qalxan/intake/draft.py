"""A report as submitted, checked field by field before anything is stored.

Every check raises :class:`~qalxan.errors.InvalidInput` naming the field and the reason, so that
an API client or an import file line learns exactly what to fix. Nothing is stored until the
whole draft passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pycountry

from qalxan.access.markings import scheme
from qalxan.errors import InvalidInput, required_text
from qalxan.intake.grading import check_credibility, check_reliability

MAX_NARRATIVE = 20_000
MAX_TITLE = 300
MAX_PLACE = 300
MAX_SOURCE = 300
MAX_DAMAGE = 5_000
MAX_OBJECTS = 50
MAX_PEOPLE = 1_000_000
# Clocks of reporting systems drift; a report "observed" a little in the future is a clock, not
# an impossibility.
CLOCK_SKEW = timedelta(minutes=10)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LANGUAGES = ("az", "ru", "en")
OBJECT_KINDS = ("vehicle", "vessel", "aircraft", "infrastructure", "weapon", "goods", "other")


@dataclass(frozen=True)
class InvolvedObject:
    kind: str
    description: str
    identifier: str | None = None
    infrastructure_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Draft:
    """What a reporter sends. Times must carry their offset; unknown type and place are
    worked out from the narrative."""

    narrative: str
    observed_at: datetime
    reported_at: datetime | None = None
    title: str | None = None
    event_type: str | None = None
    language: str | None = None
    place_text: str | None = None
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None
    country: str | None = None
    source: str | None = None
    source_reliability: str | None = None
    info_credibility: int | None = None
    killed: int = 0
    injured: int = 0
    missing: int = 0
    damage: str | None = None
    objects: tuple[InvolvedObject, ...] = field(default_factory=tuple)
    classification: str = "unclassified"
    tlp: str | None = "AMBER"
    owner_unit: str | None = None
    origin_ref: str | None = None


def check(draft: Draft, now: datetime | None = None) -> Draft:
    """The draft with its fields normalised, or InvalidInput for the first bad field."""
    now = now or datetime.now(UTC)
    observed = check_time(draft.observed_at, "observed_at", now)
    reported = check_time(draft.reported_at, "reported_at", now) if draft.reported_at else now
    if reported < observed:
        raise InvalidInput("reported_at: earlier than observed_at", "reported_at")
    lat, lon = check_point(draft.lat, draft.lon)
    return Draft(
        narrative=required_text(draft.narrative, "narrative", MAX_NARRATIVE),
        observed_at=observed,
        reported_at=reported,
        title=_optional_text(draft.title, "title", MAX_TITLE),
        event_type=_optional_text(draft.event_type, "event_type", 64),
        language=_language(draft.language),
        place_text=_optional_text(draft.place_text, "place_text", MAX_PLACE),
        lat=lat,
        lon=lon,
        admin1=_optional_text(draft.admin1, "admin1", 8),
        country=_country(draft.country),
        source=_optional_text(draft.source, "source", MAX_SOURCE),
        source_reliability=check_reliability(draft.source_reliability),
        info_credibility=check_credibility(draft.info_credibility),
        killed=_people(draft.killed, "killed"),
        injured=_people(draft.injured, "injured"),
        missing=_people(draft.missing, "missing"),
        damage=_optional_text(draft.damage, "damage", MAX_DAMAGE),
        objects=_objects(draft.objects),
        classification=scheme().classification(draft.classification).code,
        tlp=scheme().tlp_code(draft.tlp),
        owner_unit=draft.owner_unit,
        origin_ref=_optional_text(draft.origin_ref, "origin_ref", 120),
    )


def check_time(value: datetime, name: str, now: datetime) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput(f"{name}: needs a UTC offset (e.g. 2026-11-22T09:30:00+04:00)", name)
    value = value.astimezone(UTC)
    if value < EARLIEST:
        raise InvalidInput(f"{name}: before 1900", name)
    if value > now + CLOCK_SKEW:
        raise InvalidInput(f"{name}: in the future", name)
    return value


def check_point(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """Both coordinates or neither, each a finite number inside the world."""
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        raise InvalidInput(f"{missing}: coordinates come in pairs (lat and lon)", missing)
    for name, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if not math.isfinite(value) or abs(value) > limit:
            raise InvalidInput(f"{name}: {value} is outside the world (±{limit:g})", name)
    return float(lat), float(lon)


def _optional_text(value: str | None, name: str, max_len: int) -> str | None:
    if value is None or not value.strip():
        return None
    return required_text(value, name, max_len)


def _language(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in LANGUAGES:
        raise InvalidInput(f"language: one of {', '.join(LANGUAGES)}", "language")
    return value


def _country(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    found = pycountry.countries.get(alpha_2=value.upper())
    if found is None:
        raise InvalidInput(f"country: {value!r} is not an ISO 3166-1 alpha-2 code", "country")
    return str(found.alpha_2)


def _people(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PEOPLE:
        raise InvalidInput(f"{name}: a whole number from 0 to {MAX_PEOPLE}", name)
    return value


def _objects(objects: tuple[InvolvedObject, ...]) -> tuple[InvolvedObject, ...]:
    if len(objects) > MAX_OBJECTS:
        raise InvalidInput(f"objects: at most {MAX_OBJECTS}", "objects")
    checked = []
    for index, obj in enumerate(objects):
        where = f"objects[{index}]"
        if obj.kind not in OBJECT_KINDS:
            raise InvalidInput(f"{where}.kind: one of {', '.join(OBJECT_KINDS)}", f"{where}.kind")
        checked.append(
            InvolvedObject(
                kind=obj.kind,
                description=required_text(obj.description, f"{where}.description", 500),
                identifier=_optional_text(obj.identifier, f"{where}.identifier", 120),
                infrastructure_id=_optional_text(
                    obj.infrastructure_id, f"{where}.infrastructure_id", 80
                ),
            )
        )
    return tuple(checked)
