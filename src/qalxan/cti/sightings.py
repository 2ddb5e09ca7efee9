"""The STIX sighting that records an indicator seen in an incident's reports.

One sighting per (indicator, incident), with a content-derived id: ``count`` is the number of
the incident's reports that show the indicator, ``first_seen``/``last_seen`` their earliest and
latest observed times, ``where_sighted_refs`` the identities of the reporting agencies (ids
derived from the doctrine id, so every installation names an agency alike). When another
report of the incident shows it, a newer version (``modified``) carries the new figures; when
nothing changed, no version is made, so correlating the same reports again stores nothing.

The sighting is marked at the strictest of its reports: their most restrictive TLP (none when
any report has none, as such a report may not leave its agency) and their highest national
classification. It carries no narrative, only times, a count and who sighted it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from qalxan.access.markings import scheme
from qalxan.cti import markings
from qalxan.doctrine.registry import Doctrine

COMPARED = ("sighting_of_ref", "count", "first_seen", "last_seen", "where_sighted_refs")


@dataclass(frozen=True)
class Seen:
    """One report of the incident that shows the indicator."""

    report_id: str
    agency_id: str
    observed_at: datetime
    tlp: str | None
    classification: int


def _base() -> uuid.UUID:
    return uuid.UUID(markings.ids().classification_extension.split("--", 1)[1])


def sighting_id(indicator_id: str, incident_id: str) -> str:
    return f"sighting--{uuid.uuid5(_base(), f'sighting|{indicator_id}|{incident_id}')}"


def agency_identity_id(agency_id: str) -> str:
    return f"identity--{uuid.uuid5(_base(), f'agency|{agency_id}')}"


def agency_identity(doctrine: Doctrine, agency_id: str) -> dict[str, Any]:
    """The reporting agency as a STIX identity (its name from the doctrine)."""
    item = doctrine.items.get(agency_id)
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": agency_identity_id(agency_id),
        "created_by_ref": markings.identity()["id"],
        "created": markings.QALXAN_CREATED,
        "modified": markings.QALXAN_CREATED,
        "name": item.name.en if item is not None else agency_id,
        "identity_class": "organization",
        "sectors": ["government-national"],
        "external_references": [{"source_name": "qalxan-doctrine", "external_id": agency_id}],
    }


def stamp(at: datetime) -> str:
    """A STIX timestamp, to the millisecond."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def marking_refs(seen: Sequence[Seen]) -> list[str]:
    order = [m.code for m in scheme().tlp]
    tlps = [s.tlp for s in seen]
    refs = []
    if tlps and None not in tlps:
        refs.append(markings.tlp_id(max((t for t in tlps if t), key=order.index)))
    rank = max(s.classification for s in seen)
    if rank > 0:
        refs.append(markings.classification_id(scheme().by_rank(rank).code))
    return refs


def build(
    indicator_id: str,
    incident_id: str,
    seen: Sequence[Seen],
    previous: Mapping[str, Any] | None,
    now: datetime,
) -> dict[str, Any] | None:
    """The next version of the sighting, or None when ``previous`` already says it all."""
    times = sorted(s.observed_at for s in seen)
    body: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": sighting_id(indicator_id, incident_id),
        "created_by_ref": markings.identity()["id"],
        "sighting_of_ref": indicator_id,
        "count": len({s.report_id for s in seen}),
        "first_seen": stamp(times[0]),
        "last_seen": stamp(times[-1]),
        "where_sighted_refs": sorted({agency_identity_id(s.agency_id) for s in seen}),
        "external_references": [{"source_name": "qalxan-incident", "external_id": incident_id}],
        "object_marking_refs": marking_refs(seen),
    }
    if previous is not None:
        same = all(previous.get(k) == body[k] for k in (*COMPARED, "object_marking_refs"))
        if same:
            return None
    modified = now
    if previous is not None:
        before = datetime.fromisoformat(str(previous["modified"]))
        modified = max(now, before + timedelta(milliseconds=1))
    body["created"] = str(previous["created"]) if previous is not None else stamp(now)
    body["modified"] = stamp(modified)
    return body
