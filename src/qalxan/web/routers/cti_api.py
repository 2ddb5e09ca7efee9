"""Correlation, incident links, ATT&CK techniques and operators' subscriptions:
``/api/v1/cti/...``. Handlers parse, call one core function and shape the answer; an incident
the caller may not read answers 404 exactly like one that does not exist."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from qalxan.cti import incident_links, subscriptions, techniques
from qalxan.web.deps import CtxDep, DoctrineDep

router = APIRouter(prefix="/cti", tags=["cti"])

IncidentId = Annotated[str, Path(min_length=1, max_length=64)]
AttackId = Annotated[str, Path(min_length=1, max_length=16, examples=["T0800"])]
SubscriptionId = Annotated[str, Path(min_length=1, max_length=64)]


class SubscriptionIn(BaseModel):
    operator: Annotated[str, Field(min_length=1, max_length=200, examples=["Azerenerji OJSC"])]
    sectors: Annotated[
        list[Annotated[str, Field(max_length=40)]], Field(min_length=1, max_length=20)
    ]
    channel: Annotated[str, Field(examples=["email", "webhook"], max_length=16)]
    address: Annotated[str, Field(min_length=1, max_length=2000)]
    max_tlp: Annotated[str, Field(max_length=16, examples=["GREEN"])] = "GREEN"


@router.post(
    "/incidents/{incident_id}/correlate",
    summary="Match the incident's reports against the indicators now (sightings, links, notices)",
)
def correlate(ctx: CtxDep, doctrine: DoctrineDep, incident_id: IncidentId) -> dict[str, Any]:
    done = incident_links.correlate_now(ctx, doctrine, incident_id)
    return {
        "incident_id": incident_id,
        "matches": [incident_links.match_out(m) for m in done.shown],
        "hidden_matches": done.hidden,
        "sightings_stored": done.outcome.sightings,
        "linked": done.outcome.linked,
        "notices": done.outcome.notices,
    }


@router.get("/incidents/{incident_id}/links", summary="The incident's sightings and techniques")
def links(ctx: CtxDep, incident_id: IncidentId) -> dict[str, Any]:
    found = incident_links.links(ctx, incident_id)
    return {"results": [incident_links.link_out(link) for link in found]}


@router.put(
    "/incidents/{incident_id}/techniques/{attack_id}",
    summary="Link the incident to an ATT&CK technique (by its id, e.g. T0800)",
)
def link_technique(ctx: CtxDep, incident_id: IncidentId, attack_id: AttackId) -> dict[str, Any]:
    found = techniques.link(ctx, incident_id, attack_id)
    return {
        "incident_id": incident_id,
        "techniques": [
            {"attack_id": t.attack_id, "name": t.name, "stix_id": t.stix_id} for t in found
        ],
    }


@router.delete(
    "/incidents/{incident_id}/techniques/{attack_id}",
    summary="Remove the incident's link to an ATT&CK technique",
)
def unlink_technique(ctx: CtxDep, incident_id: IncidentId, attack_id: AttackId) -> dict[str, Any]:
    return {"removed": techniques.unlink(ctx, incident_id, attack_id)}


@router.get(
    "/incidents/{incident_id}/techniques/suggestions",
    summary="ATT&CK techniques the incident's reports point to, each with its reasons",
)
def suggest_techniques(ctx: CtxDep, incident_id: IncidentId) -> dict[str, Any]:
    found = techniques.suggest(ctx, incident_id)
    return {"results": [techniques.suggestion_out(s) for s in found]}


@router.get("/subscriptions", summary="Operators subscribed to the CERT's notifications")
def list_subscriptions(
    ctx: CtxDep,
    include_inactive: Annotated[bool, Query(description="deactivated ones too")] = False,
) -> dict[str, Any]:
    rows = subscriptions.listing(ctx, active_only=not include_inactive)
    return {"results": [subscriptions.out(r) for r in rows]}


@router.post("/subscriptions", status_code=201, summary="Subscribe an operator")
def create_subscription(ctx: CtxDep, body: SubscriptionIn) -> dict[str, Any]:
    draft = subscriptions.Draft(
        body.operator, tuple(body.sectors), body.channel, body.address, body.max_tlp
    )
    return subscriptions.out(subscriptions.create(ctx, draft))


@router.delete("/subscriptions/{subscription_id}", summary="Deactivate a subscription")
def deactivate_subscription(ctx: CtxDep, subscription_id: SubscriptionId) -> dict[str, Any]:
    return subscriptions.out(subscriptions.deactivate(ctx, subscription_id))
