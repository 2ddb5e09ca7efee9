"""Who is told of a sighting or a new indicator, and how.

Inside the platform, as agencies are told of incidents today (:mod:`qalxan.intake.store`,
:mod:`qalxan.intake.escalation`): the incident's history gets a ``cti.sighting`` event and the
live feed an ``incident.cti_sighting`` row, which reaches every dashboard that may read the
incident (the reporting agency's among them); the CERT is routed the incident as a supporting
agency, with a deadline to acknowledge (escalated like any other) and a share when the
incident's TLP lets it reach another agency. A TLP:RED or unmarked incident is routed to the
CERT with the reason it is not shared: the CERT then knows of it through the sighting, which
it owns, and nothing more.

Outside, to operators of information infrastructure (:class:`CtiSubscriptionRow`): one outbox
message per subscriber whose sectors the indicator or sighting concerns, when its marking
allows: a TLP at or below the subscriber's ``max_tlp``, never TLP:RED or unmarked, and no
classification above ``max_outbound_classification``. The message is the minimum: the TLP
banner, the indicator's name, id and pattern, the sectors, a link; never a report's words.
The outbox's dedup key makes each notice go once per subscriber.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access.markings import scheme
from qalxan.access.tables import ShareRow
from qalxan.cti import markings
from qalxan.cti.correlation_rules import rules
from qalxan.cti.sectors import sectors
from qalxan.cti.tables import CtiSubscriptionRow
from qalxan.intake import routing
from qalxan.intake.tables import FeedRow, IncidentEventRow, IncidentRow, RoutingRow
from qalxan.outbox.service import Message, enqueue

FEED_KIND = "incident.cti_sighting"
TITLES = {
    "sighting": "Qalxan CERT: an indicator was sighted in your sector",
    "indicator": "Qalxan CERT: a new indicator concerns your sector",
}


@dataclass(frozen=True)
class Notice:
    """What may go to operators: an indicator (and the sighting of it, if any), marked at the
    strictest of the two."""

    kind: str  # "sighting" | "indicator"
    key: str  # the sighting's id, or the indicator's
    indicator: Mapping[str, Any]
    sectors: frozenset[str]
    tlp: str | None
    classification: int


def tell_agencies(
    session: Session,
    incident: IncidentRow,
    indicator: Mapping[str, Any],
    sighting_id: str,
    actor: str,
    now: datetime,
) -> None:
    """The incident's history, its live feed, and a route to the CERT (see the module)."""
    name = shown_name(indicator)
    detail = {"indicator": indicator["id"], "name": name, "sighting": sighting_id}
    session.add(
        IncidentEventRow(
            incident_id=incident.id, kind="cti.sighting", detail=detail, actor=actor, at=now
        )
    )
    session.add(
        FeedRow(
            at=now, kind=FEED_KIND, record_type="incident", record_id=incident.id, summary=detail
        )
    )
    _route_to_cert(session, incident, f"CTI: a report shows the indicator {name}", actor, now)


def shown_name(indicator: Mapping[str, Any]) -> str:
    """The indicator's name where everyone who reads the incident will see it: only when its
    marking reaches every agency (TLP:CLEAR or GREEN, unclassified), else its id alone."""
    tlp, rank = marking_of(indicator)
    everyone = scheme().tlp_with_reach("everyone", "community")
    if tlp in everyone and rank == 0 and indicator.get("name"):
        return str(indicator["name"])
    return f"{indicator['id']} (name withheld: TLP:{tlp})" if tlp else str(indicator["id"])


def _route_to_cert(
    session: Session, incident: IncidentRow, reason: str, actor: str, now: datetime
) -> None:
    cert = rules().cert_agency
    routed = select(RoutingRow.id).where(
        RoutingRow.incident_id == incident.id, RoutingRow.agency_id == cert
    )
    if session.scalar(routed) is not None:
        return
    tlp = incident.tlp
    reaching = scheme().tlp_with_reach("everyone", "community", "shared", "strict")
    shared = cert == incident.owner_agency or tlp in reaching
    reasons = [reason]
    if not shared:
        reasons.append(f"not shared: marked TLP:{tlp}" if tlp else "not shared: no TLP")
    minutes = routing.acknowledge_minutes(incident.severity, "supporting")
    session.add(
        RoutingRow(
            incident_id=incident.id,
            agency_id=cert,
            role="supporting",
            reasons=reasons,
            routed_at=now,
            ack_due=now + timedelta(minutes=minutes) if minutes else None,
            escalation_level=0,
        )
    )
    if (
        shared
        and cert != incident.owner_agency
        and tlp in scheme().tlp_with_reach("shared", "strict")
    ):
        session.add(
            ShareRow(
                record_type="incident",
                record_id=incident.id,
                agency_id=cert,
                reason="routed: CTI sighting",
                granted_by=actor,
                granted_at=now,
            )
        )


def may_leave(tlp: str | None, classification: int, max_tlp: str) -> bool:
    """Whether something so marked may go to a subscriber who accepts up to ``max_tlp``."""
    order = [m.code for m in scheme().tlp]
    if tlp is None or tlp == "RED" or classification > rules().max_outbound_rank:
        return False
    return order.index(tlp) <= order.index(max_tlp)


def tell_operators(session: Session, notice: Notice, now: datetime) -> int:
    """Enqueue the notice for every active subscriber it concerns and may reach; the count."""
    if not notice.sectors:
        return 0
    subscribers = session.scalars(
        select(CtiSubscriptionRow)
        .where(CtiSubscriptionRow.active.is_(True))
        .order_by(CtiSubscriptionRow.id)
    )
    sent = 0
    for sub in subscribers:
        concerned = notice.sectors & set(sub.sectors)
        if not concerned or not may_leave(notice.tlp, notice.classification, sub.max_tlp):
            continue
        enqueue(session, _message(notice, sub, sorted(concerned)), now)
        sent += 1
    return sent


def _message(notice: Notice, sub: CtiSubscriptionRow, concerned: list[str]) -> Message:
    indicator = notice.indicator
    banner = f"TLP:{notice.tlp}"
    names = {s.id: s.name.en for s in sectors().sectors}
    content = {
        "tlp": banner,
        "kind": notice.kind,
        "title": TITLES[notice.kind],
        "indicator": {
            "id": indicator["id"],
            "name": indicator.get("name"),
            "pattern": indicator.get("pattern"),
        },
        "sectors": concerned,
        "link": rules().link(str(indicator["id"])),
    }
    if sub.channel == "webhook":
        body, content_type = json.dumps(content, ensure_ascii=False), "application/json"
    else:
        lines = [
            banner,
            TITLES[notice.kind],
            f"Indicator: {indicator.get('name') or indicator['id']} ({indicator['id']})",
            f"Pattern: {indicator.get('pattern')}",
            f"Sectors: {', '.join(names[s] for s in concerned)}",
            f"Link: {content['link']}",
            banner,
        ]
        body, content_type = "\n".join(lines) + "\n", "text/plain; charset=utf-8"
    return Message(
        channel=sub.channel,
        address=sub.address,
        subject=f"[{banner}] {TITLES[notice.kind]}",
        body=body,
        content_type=content_type,
        source_type="cti",
        source_id=notice.key[:80],
        dedup_key=f"cti:{notice.kind}:{notice.key}:{sub.id}",
        classification=scheme().by_rank(notice.classification).code,
        tlp=notice.tlp,
        meta={"subscription": sub.id, "operator": sub.operator, "indicator": indicator["id"]},
    )


def marking_of(*objects: Mapping[str, Any]) -> tuple[str | None, int]:
    """The strictest TLP and classification of the objects together (no TLP when any has
    none: an unmarked object may not leave)."""
    order = [m.code for m in scheme().tlp]
    tlps = [markings.tlp_of(markings.object_refs(dict(o))) for o in objects]
    rank = max(markings.classification_of(markings.object_refs(dict(o))) for o in objects)
    if None in tlps:
        return None, rank
    return max((t for t in tlps if t), key=order.index), rank
