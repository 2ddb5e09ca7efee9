"""An incident's threat intelligence, for a person: correlate it now, read its links; and the
other way round, the incidents linked to one STIX object.

All are audited and go through the policy: the incident must be one the caller may read
(else 404, like a missing one); correlating needs ``cti:create`` too. What an answer shows of a
match is limited to the reports the caller may read (the others are only counted), and a
linked STIX object's content only when the caller may read that object. An object's incidents
are the ones the caller may read: the others are left out, uncounted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from qalxan.access import audit, policy
from qalxan.access.sessions import aware
from qalxan.cti.correlate import Match, Outcome, correlate_incident
from qalxan.cti.objects import latest_in
from qalxan.cti.tables import CtiLinkRow, CtiObjectRow
from qalxan.doctrine.registry import Doctrine
from qalxan.intake.tables import IncidentRow, ReportRow


@dataclass(frozen=True)
class Correlated:
    outcome: Outcome
    shown: list[Match]  # matches in reports the caller may read
    hidden: int


@dataclass(frozen=True)
class Link:
    row: CtiLinkRow
    obj: dict[str, Any] | None  # the linked object, when the caller may read it


@dataclass(frozen=True)
class IncidentLink:
    """An incident linked to an object (a sighting, a technique...), with its title."""

    row: CtiLinkRow
    title: str


def correlate_now(ctx: audit.Context, doctrine: Doctrine, incident_id: str) -> Correlated:
    principal = ctx.principal
    with audit.recorded(ctx, "cti.correlate", "incident", incident_id) as rec:
        policy.require(principal, "cti", "create")
        incident: IncidentRow = policy.load(rec.session, principal, IncidentRow, incident_id)
        rec.entry.record_agency = incident.owner_agency
        outcome = correlate_incident(rec.session, doctrine, incident_id, principal.username)
        report_ids = {m.report_id for m in outcome.matches}
        readable = set(
            rec.session.scalars(
                select(ReportRow.id).where(
                    ReportRow.id.in_(sorted(report_ids)), policy.visible(principal, ReportRow)
                )
            )
        )
        rec.entry.detail = {
            "matches": [[m.indicator_id, m.report_id] for m in outcome.matches][:200],
            "sightings": outcome.sightings,
            "linked": outcome.linked,
            "notices": outcome.notices,
        }
    shown = [m for m in outcome.matches if m.report_id in readable]
    return Correlated(outcome, shown, len(outcome.matches) - len(shown))


def links(ctx: audit.Context, incident_id: str) -> list[Link]:
    """The incident's sightings and techniques, oldest first."""
    principal = ctx.principal
    with audit.recorded(ctx, "cti.links.read", "incident", incident_id) as rec:
        incident: IncidentRow = policy.load(rec.session, principal, IncidentRow, incident_id)
        rec.entry.record_agency = incident.owner_agency
        rows = list(
            rec.session.scalars(
                select(CtiLinkRow)
                .where(CtiLinkRow.incident_id == incident_id)
                .order_by(CtiLinkRow.created_at, CtiLinkRow.kind, CtiLinkRow.stix_id)
            )
        )
        wanted = sorted({r.stix_id for r in rows} | {r.sighting_id for r in rows if r.sighting_id})
        bodies = dict(
            rec.session.execute(
                select(CtiObjectRow.stix_id, CtiObjectRow.body).where(
                    CtiObjectRow.stix_id.in_(wanted),
                    CtiObjectRow.latest.is_(True),
                    policy.visible(principal, CtiObjectRow),
                )
            ).all()
        )
        rec.entry.detail = {"links": len(rows), "objects": sorted(bodies)[:200]}
    return [Link(r, json.loads(bodies[r.stix_id]) if r.stix_id in bodies else None) for r in rows]


def of_object(ctx: audit.Context, stix_id: str) -> list[IncidentLink]:
    """The links of the object (by its id: the indicator sighted, the technique used) to the
    incidents the caller may read, oldest first; the object must be one they may read."""
    principal = ctx.principal
    with audit.recorded(ctx, "cti.links.read", CtiObjectRow.record_type, stix_id) as rec:
        obj = latest_in(rec.session, principal, stix_id)
        rec.entry.record_agency = obj.owner_agency
        found = rec.session.execute(
            select(CtiLinkRow, IncidentRow.title)
            .join(IncidentRow, IncidentRow.id == CtiLinkRow.incident_id)
            .where(CtiLinkRow.stix_id == stix_id, policy.visible(principal, IncidentRow))
            .order_by(CtiLinkRow.created_at, CtiLinkRow.kind, CtiLinkRow.incident_id)
        ).all()
        links = [IncidentLink(row, title) for row, title in found]
        rec.entry.detail = {
            "stix_id": stix_id,
            "incidents": sorted({link.row.incident_id for link in links}),
        }
    return links


def link_out(link: Link) -> dict[str, Any]:
    row, obj = link.row, link.obj or {}
    return {
        "incident_id": row.incident_id,
        "kind": row.kind,
        "stix_id": row.stix_id,
        "name": obj.get("name"),
        "pattern": obj.get("pattern"),
        "attack_id": _attack_id(obj),
        "observable": row.observable,
        "sighting_id": row.sighting_id,
        "created_by": row.created_by,
        "created_at": aware(row.created_at),
        "readable": link.obj is not None,
    }


def match_out(match: Match) -> dict[str, Any]:
    return {
        "indicator": match.indicator_id,
        "name": match.indicator.get("name"),
        "pattern": match.indicator.get("pattern"),
        "report_id": match.report_id,
        "explanation": match.explain(),
    }


def _attack_id(obj: dict[str, Any]) -> str | None:
    for ref in obj.get("external_references") or []:
        if isinstance(ref, dict) and str(ref.get("source_name", "")).startswith("mitre-"):
            external = ref.get("external_id")
            return str(external) if external else None
    return None
