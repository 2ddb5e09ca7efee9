"""An incident as a :class:`~qalxan.intake.store.Writer` holds it while reports are stored: its
row as it stands, how dedup sees it, where it is routed, and what the rollups count of it; and
an incident read back from the store when a report joins one the writer does not hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access.sessions import aware
from qalxan.intake import dedup, routing, severity
from qalxan.intake.batch import table_of
from qalxan.intake.tables import IncidentRow, RoutingRow
from qalxan.picture.contribution import Contribution, contribution


@dataclass
class Held:
    row: dict[str, Any]
    sighting: dedup.Sighting
    routed: set[str]
    new: bool
    changed: bool = False
    facts: severity.Facts | None = None
    where: routing.Where = field(default_factory=routing.Where)
    # What the picture's rollups count of it as of the last flush (None: nothing yet).
    counted: Contribution | None = None


def read_back(session: Session, incident_id: str) -> Held:
    """The stored incident, as a writer holds it."""
    # Core, not the ORM: the writer only needs the values (and the ORM's row loading cost more
    # than the rest of a join).
    table = table_of(IncidentRow)
    data = dict(session.execute(select(table).where(table.c.id == incident_id)).mappings().one())
    for key in ("first_observed", "last_observed", "created_at", "updated_at"):
        data[key] = aware(data[key])
    routed = set(
        session.scalars(select(RoutingRow.agency_id).where(RoutingRow.incident_id == incident_id))
    )
    sighting = dedup.Sighting(
        data["event_type"],
        data["first_observed"],
        data["last_observed"],
        data["lat"],
        data["lon"],
        data["admin1"],
        data["country"],
        frozenset(data["fingerprint"].split()),
    )
    place_facts = data["place_facts"]
    facts = severity.Facts(
        event_type=data["event_type"],
        killed=data["killed"],
        injured=data["injured"],
        reports=data["report_count"],
        pipeline_km=place_facts.get("pipeline_km"),
        pipeline=place_facts.get("pipeline"),
        border_zone=bool(place_facts.get("border_zone")),
        offshore=bool(place_facts.get("offshore")),
    )
    return Held(data, sighting, routed, False, facts=facts, counted=contribution(data))
