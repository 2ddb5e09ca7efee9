"""What routing an incident writes: a routing row per agency (its role, its reasons, when it is
due to acknowledge) and, where the incident's marking keeps it from that agency otherwise, a
share.

Worked out once per kind of incident (type, place facts, reporting agency, severity, marking)
and kept: a bulk import routes thousands of incidents of a few dozen kinds, and the rows of
each kind differ only in the incident they name and the moment they are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from qalxan.access.markings import Reach, scheme
from qalxan.doctrine.registry import Doctrine
from qalxan.intake import encoded, routing
from qalxan.store.rows import Json

REPORTED = "reported the incident"


@dataclass(frozen=True, slots=True)
class Step:
    """One agency's routing of an incident, as its rows store it."""

    agency_id: str
    role: str
    reasons: Json
    # Minutes the agency has to acknowledge (None: nothing is due, it reported it).
    minutes: int | None
    reporting: bool
    # Why the agency is given a share of the incident (None: it needs none).
    share: str | None


@dataclass(frozen=True, slots=True)
class Plan:
    """The routing of a new incident: its steps, and the agencies with their roles as the
    incident's ``created`` event states them (encoded)."""

    steps: tuple[Step, ...]
    roles: Json


@lru_cache(maxsize=4096)
def plan(
    doctrine: Doctrine,
    event_type: str,
    where: routing.Where,
    agency_id: str,
    severity: int,
    tlp: str | None,
) -> Plan:
    """The routing of a new incident that ``agency_id`` reported (and so owns). A doctrine
    version is immutable and hashed by identity, so a new version is planned anew."""
    routes = routing.route(doctrine, event_type, where, agency_id)
    steps = tuple(
        step(r.agency_id, r.role, tuple(r.reasons), r.reporting, severity, tlp, agency_id)
        for r in routes
    )
    return Plan(steps, encoded.encoded({s.agency_id: s.role for s in steps}))


@lru_cache(maxsize=4096)
def step(
    agency_id: str,
    role: str,
    reasons: tuple[str, ...],
    reporting: bool,
    severity: int,
    tlp: str | None,
    owner: str,
) -> Step:
    """How ``agency_id`` is routed an incident of ``owner`` with this severity and marking."""
    shared = agency_id == owner or agency_reach(tlp)
    if not shared:
        reasons += (f"not shared: marked TLP:{tlp}" if tlp else "not shared: no TLP",)
    share = f"routed: {role}" if shared and agency_id != owner and needs_share(tlp) else None
    return Step(
        agency_id,
        role,
        encoded.reasons(reasons),
        routing.acknowledge_minutes(severity, role),
        reporting,
        share,
    )


def reporting(agency_id: str, severity: int, tlp: str | None, owner: str) -> Step:
    """The routing of an agency that reported an incident another agency owns (its report
    joined it)."""
    return step(agency_id, "reporting", (REPORTED,), True, severity, tlp, owner)


def agency_reach(tlp: str | None) -> bool:
    """Whether a record with this marking can reach another agency at all."""
    return tlp is not None and tlp in _reaching("everyone", "community", "shared", "strict")


def needs_share(tlp: str | None) -> bool:
    """Whether another agency needs a share to see it (CLEAR and GREEN reach everyone)."""
    return tlp is not None and tlp in _reaching("shared", "strict")


@lru_cache(maxsize=8)
def _reaching(*reaches: Reach) -> frozenset[str]:
    return frozenset(scheme().tlp_with_reach(*reaches))
