"""One catalogued earthquake, whatever the catalogue, and the intake draft it becomes.

The draft is typed (``earthquake``), placed by its epicentre (the intake finds the district or
the country), graded, marked for anyone (``unclassified``, TLP CLEAR: the catalogues are
public), and keyed by the catalogue's own event reference, so that importing it again stores
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qalxan.geo.points import locate_point
from qalxan.intake.draft import Draft

EVENT_TYPE = "earthquake"


@dataclass(frozen=True)
class Grade:
    """The Admiralty grade of a catalogue's rows (see :mod:`qalxan.intake.grading`)."""

    reliability: str
    credibility: int


@dataclass(frozen=True)
class Epicentre:
    """Where a catalogue row's quake was and how strong: what decides whether it is taken."""

    lat: float
    lon: float
    magnitude: float | None


@dataclass(frozen=True)
class Quake:
    """What a catalogue row says of a quake: ``ref`` keys it in the intake, ``event`` is the
    catalogue's own id if it has one. ``time_known`` is False when the catalogue gives the
    day only (the time is then midnight UTC)."""

    ref: str
    event: str | None
    source: str
    grade: Grade
    at: datetime
    lat: float
    lon: float
    magnitude: float | None = None
    magnitude_type: str | None = None
    depth_km: float | None = None
    place: str | None = None
    time_known: bool = True
    killed: int = 0
    injured: int = 0
    missing: int = 0
    effects: tuple[str, ...] = ()
    damage: str | None = None


def draft(quake: Quake) -> Draft:
    """The intake draft of ``quake``: a hazard incident in the making."""
    strength = _magnitude(quake)
    where = quake.place or _located(quake.lat, quake.lon)
    return Draft(
        narrative=narrative(quake, where),
        observed_at=quake.at,
        title=f"{strength[0].upper()}{strength[1:]} earthquake, {where}"[:300],
        event_type=EVENT_TYPE,
        language="en",
        place_text=quake.place,
        lat=quake.lat,
        lon=quake.lon,
        source=quake.source,
        source_reliability=quake.grade.reliability,
        info_credibility=quake.grade.credibility,
        killed=quake.killed,
        injured=quake.injured,
        missing=quake.missing,
        damage=quake.damage,
        classification="unclassified",
        tlp="CLEAR",
        origin_ref=quake.ref,
    )


def narrative(quake: Quake, where: str) -> str:
    """An English account: magnitude, depth, place, time, effects and source."""
    depth = (
        f"at a depth of {quake.depth_km:g} km" if quake.depth_km is not None else "depth not given"
    )
    when = quake.at.strftime("%Y-%m-%d %H:%M:%S UTC" if quake.time_known else "%Y-%m-%d")
    if not quake.time_known:
        when += " (time of day not recorded)"
    point = f"{abs(quake.lat):.3f}{'N' if quake.lat >= 0 else 'S'}"
    point += f" {abs(quake.lon):.3f}{'E' if quake.lon >= 0 else 'W'}"
    parts = [f"Earthquake of {_magnitude(quake)}, {depth}, {where} ({point}), on {when}."]
    if quake.effects:
        effects = "; ".join(quake.effects)
        parts.append(f"{effects[0].upper()}{effects[1:]}.")
    parts.append(f"Source: {quake.source}" + (f", event {quake.event}." if quake.event else "."))
    return " ".join(parts)


def _magnitude(quake: Quake) -> str:
    if quake.magnitude is None:
        return "unknown magnitude"
    kind = f" ({quake.magnitude_type})" if quake.magnitude_type else ""
    return f"magnitude {quake.magnitude:.1f}{kind}"


def _located(lat: float, lon: float) -> str:
    """A name for a point the catalogue does not name: the district, or the country."""
    found = locate_point(lat, lon)
    if found.country == "AZ" and found.offshore:
        return f"Caspian Sea off {found.name}, Azerbaijan"
    if found.country == "AZ":
        return f"{found.name}, Azerbaijan"
    return found.name or "at sea"
