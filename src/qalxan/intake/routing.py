"""Who an incident goes to, and why: the doctrine's routing relations for every threat or
policy direction its type bears on, then the place rules of ``routing.yaml``.

Each route carries its reasons (the relation's justification, quoted from its source, or the
place rule's), so the receiving agency sees why the incident is theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from qalxan.doctrine.registry import Doctrine
from qalxan.intake.taxonomy import taxonomy

ROLE_ORDER = {"reporting": 0, "lead": 1, "supporting": 2, "place": 3}


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str
    section: str
    quote: str


class When(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    border_zone: bool | None = None
    offshore: bool | None = None
    nakhchivan: bool | None = None
    threat_in: tuple[str, ...] | None = None
    routed_to_any: tuple[str, ...] | None = None


class PlaceRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    when: When
    agency: str
    reason: str
    provenance: Provenance
    unless_public_event: bool = False


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    places: tuple[PlaceRule, ...]
    acknowledge_minutes: dict[int, int]
    max_escalation: int
    border_zone_km: float


@dataclass(frozen=True)
class Where:
    """The facts of a place that routing looks at."""

    border_zone: bool = False
    offshore: bool = False
    nakhchivan: bool = False


@dataclass
class Route:
    """``role`` is the strongest reason the agency has the incident: ``lead``, ``supporting``,
    ``place``, or ``reporting`` when it has none but having reported it."""

    agency_id: str
    role: str
    reasons: list[str] = field(default_factory=list)
    reporting: bool = False


def route(doctrine: Doctrine, event_type: str, where: Where, reporting_agency: str) -> list[Route]:
    """The agencies an incident of this type, at this place, reported by this agency, goes to:
    the reporting agency first, then lead, supporting and place agencies."""
    found = _routes(doctrine, event_type, where, reporting_agency)
    return [
        Route(agency, role, list(reasons), reporting) for agency, role, reasons, reporting in found
    ]


@lru_cache(maxsize=4096)
def _routes(
    doctrine: Doctrine, event_type: str, where: Where, reporting_agency: str
) -> tuple[tuple[str, str, tuple[str, ...], bool], ...]:
    # The same few answers, over and over in a bulk import: worked out once per combination
    # (a doctrine version is immutable, and hashed by identity).
    return tuple(
        (r.agency_id, r.role, tuple(r.reasons), r.reporting)
        for r in _route(doctrine, event_type, where, reporting_agency)
    )


def _route(doctrine: Doctrine, event_type: str, where: Where, reporting_agency: str) -> list[Route]:
    kind = taxonomy().by_code[event_type]
    routes: dict[str, Route] = {
        reporting_agency: Route(reporting_agency, "reporting", ["reported the incident"], True)
    }

    def add(agency_id: str, role: str, reason: str) -> None:
        found = routes.get(agency_id)
        if found is None:
            routes[agency_id] = Route(agency_id, role, [reason])
            return
        found.reasons.append(reason)
        if found.role == "reporting" or ROLE_ORDER[role] < ROLE_ORDER[found.role]:
            found.role = role

    for ref in kind.bears_on:
        item = doctrine.items[ref]
        label = f"{item.code} {item.name.en}" if item.code else item.name.en
        for edge in doctrine.edges(ref):
            relation = edge.relation
            if edge.direction != "out" or relation.type not in ("lead_agency", "supporting_agency"):
                continue
            role = "lead" if relation.type == "lead_agency" else "supporting"
            add(edge.other.id, role, f"{role} agency for {label}: {relation.justification}")
    for rule in rules().places:
        if rule.unless_public_event and kind.public_event:
            continue
        if _holds(rule.when, kind.bears_on, where, routes) and rule.agency in doctrine.items:
            add(rule.agency, "place", rule.reason)
    return sorted(routes.values(), key=lambda r: (ROLE_ORDER[r.role], r.agency_id))


def _holds(when: When, bears_on: tuple[str, ...], where: Where, routes: dict[str, Route]) -> bool:
    return all(
        (
            when.border_zone is None or where.border_zone == when.border_zone,
            when.offshore is None or where.offshore == when.offshore,
            when.nakhchivan is None or where.nakhchivan == when.nakhchivan,
            when.threat_in is None or bool(set(bears_on) & set(when.threat_in)),
            when.routed_to_any is None or any(a in routes for a in when.routed_to_any),
        )
    )


def acknowledge_minutes(severity: int, role: str) -> int | None:
    """How long an agency in ``role`` has to acknowledge; supporting agencies get four times as
    long as the lead, and the reporting agency, which knows already, none."""
    if role == "reporting":
        return None
    minutes = rules().acknowledge_minutes[severity]
    return minutes * 4 if role == "supporting" else minutes


@lru_cache(maxsize=1)
def rules() -> Rules:
    text = resources.files("qalxan.intake").joinpath("routing.yaml").read_text("utf-8")
    return Rules.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))
