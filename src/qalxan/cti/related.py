"""What an object is tied to: the relationships and sightings that name it, both ways.

A relationship from the object (its ``source_ref``) points out, one to it (``target_ref``)
points in. A sighting *of* the object points in (someone saw it); a sighting where the object
is the one that saw (``where_sighted_refs``) or the evidence (``observed_data_refs``) points
out, to what was sighted. Only the newest versions count, revoked ones included (a revoked
relationship is still worth seeing, marked so). Every relationship, sighting and object at the
other end is read through the access policy: what the caller may not see is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.cti.free_text import contains
from qalxan.cti.objects import RECORD_TYPE, latest_in, newest_in
from qalxan.cti.tables import CtiObjectRow

Direction = Literal["out", "in"]
TIES = ("relationship", "sighting")


@dataclass(frozen=True)
class Link:
    """One relationship or sighting: which way it points and what is at the other end."""

    via: CtiObjectRow
    kind: str  # the relationship_type, or "sighting"
    direction: Direction
    others: tuple[str, ...]


@dataclass
class Links:
    outgoing: list[Link] = field(default_factory=list)
    incoming: list[Link] = field(default_factory=list)
    # The newest version of each object at the other ends that the caller may read.
    objects: dict[str, CtiObjectRow] = field(default_factory=dict)


def links(ctx: audit.Context, stix_id: str) -> Links:
    """The relationships and sightings of an object the caller may read."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, stix_id) as rec:
        row = latest_in(rec.session, ctx.principal, stix_id)
        rec.entry.record_agency = row.owner_agency
        found = links_in(rec.session, ctx.principal, stix_id)
        rec.entry.detail = {
            "stix_id": stix_id,
            "links": [link.via.stix_id for link in found.outgoing + found.incoming],
            "objects": sorted(found.objects),
        }
    return found


def links_in(session: Session, principal: Principal, stix_id: str) -> Links:
    """:func:`links` inside the caller's own transaction (not audited: the caller audits)."""
    found = Links()
    for row in _naming(session, principal, stix_id):
        link = _link(row, json.loads(row.body), stix_id)
        if link is not None:
            (found.outgoing if link.direction == "out" else found.incoming).append(link)
    others = {o for link in found.outgoing + found.incoming for o in link.others}
    found.objects = newest_in(session, principal, others)
    return found


def _naming(session: Session, principal: Principal, stix_id: str) -> Iterable[CtiObjectRow]:
    """The newest relationships and sightings whose JSON holds the object's id (its role is
    read from the parsed JSON: an id in a description does not make a link)."""
    query = (
        select(CtiObjectRow)
        .where(
            CtiObjectRow.stix_type.in_(TIES),
            CtiObjectRow.latest.is_(True),
            policy.visible(principal, CtiObjectRow),
            CtiObjectRow.body.like(contains(json.dumps(stix_id)), escape="\\"),
        )
        .order_by(CtiObjectRow.stix_type, CtiObjectRow.stix_id)
    )
    return session.scalars(query)


def _link(row: CtiObjectRow, obj: dict[str, Any], stix_id: str) -> Link | None:
    if row.stix_type == "relationship":
        kind = str(obj.get("relationship_type", "related-to"))
        if obj.get("source_ref") == stix_id:
            return Link(row, kind, "out", (str(obj.get("target_ref")),))
        if obj.get("target_ref") == stix_id:
            return Link(row, kind, "in", (str(obj.get("source_ref")),))
        return None
    if obj.get("sighting_of_ref") == stix_id:
        return Link(row, "sighting", "in", tuple(map(str, obj.get("where_sighted_refs") or ())))
    seen_by = [*(obj.get("where_sighted_refs") or ()), *(obj.get("observed_data_refs") or ())]
    if stix_id in seen_by:
        return Link(row, "sighting", "out", (str(obj.get("sighting_of_ref")),))
    return None
