"""Where a report happened: from its coordinates, its administrative unit, its place text or,
failing those, the places its narrative names; and what the place means for severity and
routing (border zone, offshore, Nakhchivan, the nearest strategic pipeline)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import Any

from qalxan.errors import InvalidInput
from qalxan.geo.data_files import load_gazetteer
from qalxan.geo.infrastructure import near_pipelines
from qalxan.geo.points import locate_point
from qalxan.geo.resolve import resolve_text
from qalxan.geo.zones import in_border_zone, in_nakhchivan, is_offshore
from qalxan.intake.draft import Draft


@dataclass(frozen=True)
class Placement:
    place_text: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    precision: str | None = None
    source: str | None = None
    explanation: str | None = None
    border_zone: bool = False
    offshore: bool = False
    nakhchivan: bool = False
    pipeline: str | None = None
    pipeline_km: float | None = None

    def as_dict(self) -> dict[str, Any]:
        values = zip(_NAMES, self.values(), strict=True)
        return {k: v for k, v in values if v is not None and v is not False}

    def values(self) -> tuple[Any, ...]:
        """The fields' values in order: ``Placement(*p.values()) == p``."""
        values: tuple[Any, ...] = _values(self)
        return values

    def facts(self) -> dict[str, Any]:
        """What severity and routing looked at."""
        return {
            "border_zone": self.border_zone,
            "offshore": self.offshore,
            "nakhchivan": self.nakhchivan,
            "pipeline": self.pipeline,
            "pipeline_km": self.pipeline_km,
        }


# Read once: dataclasses.fields() builds its answer anew on every call.
_NAMES = tuple(f.name for f in fields(Placement))
_values = attrgetter(*_NAMES)

PIPELINE_SEARCH_KM = 50.0
# A point in the Absheron peninsula: near the border of nothing, by the sea and the pipelines.
_WARM_POINT = (40.41, 49.87)


def warm() -> None:
    """Load the shapes that placing a point in the country reads (the border, the Caspian
    sector, Nakhchivan, the pipelines), so that worker processes forked after share them."""
    _with_meaning(Placement(lat=_WARM_POINT[0], lon=_WARM_POINT[1], precision="point"), 20.0)


def place(draft: Draft, border_km: float) -> Placement:
    """Coordinates win, then the administrative unit given, then the place text, then the
    places the narrative names; the place's meaning is worked out from the point found."""
    if draft.lat is not None and draft.lon is not None and draft.country not in (None, "AZ"):
        # A point abroad with its country given: nothing in Azerbaijan to look up.
        return Placement(
            place_text=draft.place_text,
            lat=draft.lat,
            lon=draft.lon,
            country=draft.country,
            precision="point",
            source="coordinates",
            explanation=f"coordinates in {draft.country}, as given",
        )
    if draft.lat is not None and draft.lon is not None:
        found = locate_point(draft.lat, draft.lon)
        base = Placement(
            place_text=draft.place_text or found.name,
            lat=draft.lat,
            lon=draft.lon,
            country=found.country or draft.country,
            admin1=found.admin1,
            precision="point",
            source="coordinates",
            explanation=found.explanation,
        )
    elif draft.admin1 is not None:
        unit = load_gazetteer().units.get(draft.admin1.upper())
        if unit is None:
            raise InvalidInput(f"admin1: {draft.admin1!r} is not an ISO 3166-2:AZ code", "admin1")
        base = Placement(
            place_text=draft.place_text or unit.name,
            lat=unit.centroid[0],
            lon=unit.centroid[1],
            country="AZ",
            admin1=unit.code,
            precision="district",
            source="admin1",
            explanation=f"given as {unit.code} ({unit.name}); placed at its centre",
        )
    else:
        base = _from_text(draft)
    if base.lat is None or base.lon is None or base.country not in (None, "AZ"):
        return base
    return _with_meaning(base, border_km)


def _from_text(draft: Draft) -> Placement:
    found = None
    source = "none"
    if draft.place_text:
        found, source = resolve_text(draft.place_text, draft.country), "place_text"
    if found is None:
        found, source = resolve_text(draft.narrative, draft.country), "narrative"
    if found is None:
        return Placement(place_text=draft.place_text, country=draft.country, source="none")
    return Placement(
        place_text=draft.place_text or found.name,
        lat=found.lat,
        lon=found.lon,
        country=found.country,
        admin1=found.admin1,
        precision=found.precision,
        source=source,
        explanation=found.explanation,
    )


def _with_meaning(base: Placement, border_km: float) -> Placement:
    assert base.lat is not None
    assert base.lon is not None
    lat, lon = base.lat, base.lon
    # A district named without a point says nothing about the border or the sea.
    exact = base.precision in ("point", "place")
    near = near_pipelines(lat, lon, PIPELINE_SEARCH_KM)
    return replace(
        base,
        border_zone=exact and in_border_zone(lat, lon, border_km),
        offshore=exact and is_offshore(lat, lon),
        nakhchivan=in_nakhchivan(lat, lon),
        pipeline=(near[0].name or near[0].code) if near and exact else None,
        pipeline_km=round(near[0].distance_km, 2) if near and exact else None,
    )
