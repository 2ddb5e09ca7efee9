"""Escalation of missed acknowledgement deadlines.

A routed agency that has not acknowledged an incident by its deadline is escalated: the level
rises, a new deadline of the same length starts, and the incident's history and the live feed
say so (the agency's duty officers and administrators see it on their dashboards). After
``max_escalation`` levels the incident stays flagged until someone acknowledges.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from qalxan.access import audit
from qalxan.intake import routing
from qalxan.intake.tables import FeedRow, IncidentEventRow, IncidentRow, RoutingRow
from qalxan.store.engine import session_factory
from qalxan.store.periodic import periodic

ACTOR = "qalxan:escalation"
BATCH = 500


@dataclass(frozen=True)
class Escalated:
    incident_id: str
    agency_id: str
    level: int


def run(ctx: audit.Context, now: datetime | None = None) -> list[Escalated]:
    """Escalate every overdue acknowledgement; returns what was escalated."""
    now = now or datetime.now(UTC)
    limit = routing.rules().max_escalation
    done: list[Escalated] = []
    query = (
        select(RoutingRow, IncidentRow.severity)
        .join(IncidentRow, IncidentRow.id == RoutingRow.incident_id)
        .where(
            RoutingRow.acknowledged_at.is_(None),
            RoutingRow.ack_due.is_not(None),
            RoutingRow.ack_due < now,
            RoutingRow.escalation_level < limit,
            IncidentRow.status == "open",
        )
        .order_by(RoutingRow.ack_due)
        .limit(BATCH)
    )
    # Most runs find nothing: look first, so that they leave no audit record.
    with session_factory(ctx.trail.engine)() as session:
        if session.execute(query.limit(1)).first() is None:
            return done
    with audit.recorded(ctx, "incident.escalate", "incident") as rec:
        session = rec.session
        # Several workers escalate: each takes the rows no other one holds (PostgreSQL; SQLite
        # writers are serialised anyway).
        locked = query.with_for_update(skip_locked=True, of=RoutingRow)
        overdue = session.execute(locked).all()
        for route, severity in overdue:
            minutes = routing.acknowledge_minutes(severity, route.role) or 0
            route.escalation_level += 1
            route.escalated_at = now
            route.ack_due = now + timedelta(minutes=minutes)
            detail = {
                "agency": route.agency_id,
                "level": route.escalation_level,
                "role": route.role,
            }
            session.add(
                IncidentEventRow(
                    incident_id=route.incident_id,
                    kind="escalated",
                    detail=detail,
                    actor=ACTOR,
                    at=now,
                )
            )
            session.add(
                FeedRow(
                    at=now,
                    kind="incident.escalated",
                    record_type="incident",
                    record_id=route.incident_id,
                    summary=detail,
                )
            )
            done.append(Escalated(route.incident_id, route.agency_id, route.escalation_level))
        rec.entry.detail = {
            "escalated": [[e.incident_id, e.agency_id, e.level] for e in done][:200],
            "count": len(done),
        }
    return done


@contextmanager
def background(ctx: audit.Context, every_seconds: float) -> Iterator[None]:
    """While the block runs, escalate from a background thread every ``every_seconds``."""
    if every_seconds <= 0:
        yield
        return
    with periodic(
        "qalxan-escalation",
        every_seconds,
        lambda: run(ctx),
        "escalation failed; retrying at the next interval",
    ):
        yield
