"""The open incidents a chunk of reports may join, loaded with one query and indexed in memory
by kind of event and place, so that each report is compared only with its neighbours.

An incident is filed under a grid cell of its point (if it has one), its district and its
country; a report looks in the cells around its point, or in its district, or its country.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access.sessions import aware
from qalxan.intake import dedup
from qalxan.intake.tables import IncidentRow
from qalxan.intake.taxonomy import taxonomy

CELL_DEGREES = 0.5
KM_PER_DEGREE = 111.2


@dataclass
class Entry:
    sighting: dedup.Sighting
    owner: str
    tlp: str | None


class Candidates:
    def __init__(self, rules: dedup.Rules) -> None:
        self.rules = rules
        self._entries: dict[str, Entry] = {}
        # Insertion-ordered (dicts, not sets): incidents tied on score are then compared in
        # the order they were filed, so the same import always joins the same incident.
        self._buckets: dict[tuple[str, object, object], dict[str, None]] = defaultdict(dict)
        self._loaded: dict[str, tuple[datetime, datetime]] = {}

    def load(self, session: Session, sightings: Iterable[dedup.Sighting]) -> None:
        """Open incidents of the sightings' categories within the dedup window of them.

        The index remembers which stretch of time it holds for each category, so that a bulk
        import sharing one index across its chunks reads each incident once.
        """
        kinds = taxonomy().by_code
        window = timedelta(hours=self.rules.window_hours)
        wanted: dict[str, tuple[datetime, datetime]] = {}
        for s in sightings:
            category = kinds[s.event_type].category
            lo, hi = s.first - window, s.last + window
            if category in wanted:
                old_lo, old_hi = wanted[category]
                lo, hi = min(lo, old_lo), max(hi, old_hi)
            wanted[category] = (lo, hi)
        for category, (lo, hi) in wanted.items():
            held = self._loaded.get(category)
            if held is None:
                gaps = [(lo, hi)]
            else:
                gaps = [(lo, held[0]), (held[1], hi)]
                gaps = [(a, b) for a, b in gaps if a < b]
            for a, b in gaps:
                self._read(session, category, a, b)
            self._loaded[category] = (min(lo, held[0]), max(hi, held[1])) if held else (lo, hi)

    def _read(self, session: Session, category: str, lo: datetime, hi: datetime) -> None:
        types = [t.code for t in taxonomy().types if t.category == category]
        rows = session.execute(
            select(
                IncidentRow.id,
                IncidentRow.event_type,
                IncidentRow.first_observed,
                IncidentRow.last_observed,
                IncidentRow.lat,
                IncidentRow.lon,
                IncidentRow.admin1,
                IncidentRow.country,
                IncidentRow.fingerprint,
                IncidentRow.owner_agency,
                IncidentRow.tlp,
            ).where(
                IncidentRow.status == "open",
                IncidentRow.event_type.in_(types),
                IncidentRow.last_observed >= lo,
                IncidentRow.first_observed <= hi,
            )
        )
        for row in rows:
            if row.id in self._entries:
                continue  # what this index holds is at least as new
            sighting = dedup.Sighting(
                row.event_type,
                aware(row.first_observed),
                aware(row.last_observed),
                row.lat,
                row.lon,
                row.admin1,
                row.country,
                frozenset(row.fingerprint.split()),
            )
            self.put(row.id, sighting, row.owner_agency, row.tlp)

    def put(self, incident_id: str, sighting: dedup.Sighting, owner: str, tlp: str | None) -> None:
        """File (or re-file, after it changed) an incident."""
        old = self._entries.get(incident_id)
        if old is not None:
            for key in self._keys(old.sighting):
                self._buckets[key].pop(incident_id, None)
        self._entries[incident_id] = Entry(sighting, owner, tlp)
        for key in self._keys(sighting):
            self._buckets[key][incident_id] = None

    def near(self, sighting: dedup.Sighting) -> dict[str, Entry]:
        """The filed incidents that could be the same event as ``sighting``."""
        category = taxonomy().by_code[sighting.event_type].category
        keys = _around(
            category,
            sighting.lat,
            sighting.lon,
            sighting.admin1,
            sighting.country,
            self.rules.radius_km,
        )
        found: dict[str, Entry] = {}
        buckets, entries = self._buckets, self._entries
        for key in keys:
            bucket = buckets.get(key)
            if bucket:
                for incident_id in bucket:
                    found[incident_id] = entries[incident_id]
        return found

    def _keys(self, s: dedup.Sighting) -> list[tuple[str, object, object]]:
        category = taxonomy().by_code[s.event_type].category
        keys: list[tuple[str, object, object]] = [(category, "country", s.country)]
        if s.admin1 is not None:
            keys.append((category, "admin1", s.admin1))
        if s.lat is not None and s.lon is not None:
            keys.append((category, *_cell(s.lat, s.lon)))
        else:
            keys.append((category, "unplaced", s.admin1 or s.country))
        return keys


@lru_cache(maxsize=16384)
def _around(
    category: str,
    lat: float | None,
    lon: float | None,
    admin1: str | None,
    country: str | None,
    radius_km: float,
) -> tuple[tuple[str, object, object], ...]:
    """The keys a report looks in: the cells around its point, or its district, or its
    country (worked out once per place: many reports name the same few)."""
    keys: list[tuple[str, object, object]] = []
    if lat is not None and lon is not None:
        row, col = _cell(lat, lon)
        reach_lat = math.ceil(radius_km / (KM_PER_DEGREE * CELL_DEGREES))
        shrink = max(math.cos(math.radians(lat)), 0.05)
        reach_lon = math.ceil(radius_km / (KM_PER_DEGREE * CELL_DEGREES * shrink))
        keys += [
            (category, row + i, col + j)
            for i in range(-reach_lat, reach_lat + 1)
            for j in range(-reach_lon, reach_lon + 1)
        ]
        # Incidents without a point can still be the same event (compared by district).
        keys.append((category, "unplaced", admin1 or country))
    elif admin1 is not None:
        keys.append((category, "admin1", admin1))
    else:
        keys.append((category, "country", country))
    return tuple(keys)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)
