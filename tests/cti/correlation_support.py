"""What the correlation tests share: indicators built inline, reports made through the real
intake, the CERT and a reporting agency's people."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from qalxan.cti import markings, store
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.draft import Draft, InvolvedObject
from qalxan.intake.store import Stored
from qalxan.intake.submit import submit
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import Person, load_bundled

CERT = "agency-ess"
NOW = datetime.now(UTC).replace(microsecond=0)
CREATED = "2026-01-05T10:00:00.000Z"


def indicator(
    pattern: str,
    *,
    name: str = "C2 address",
    tlp: str | None = "GREEN",
    labels: Sequence[str] = (),
    modified: str = CREATED,
    stix_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid4()}",
        "created": CREATED,
        "modified": modified,
        "name": name,
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": CREATED,
        **extra,
    }
    if tlp:
        obj["object_marking_refs"] = [markings.tlp_id(tlp)]
    if labels:
        obj["labels"] = list(labels)
    return obj


def put(engine: Engine, *objects: dict[str, Any]) -> store.Outcome:
    with transaction(engine) as session:
        outcome = store.put(session, objects, agency=CERT, actor="pytest")
    assert not outcome.failures, outcome.failures
    return outcome


def report(
    engine: Engine,
    settings: Settings,
    who: Person,
    narrative: str,
    *,
    tlp: str | None = "AMBER",
    classification: str = "unclassified",
    infrastructure: str | None = None,
    hours_ago: float = 1,
    lat: float = 40.4093,
    lon: float = 49.8671,
    event_type: str = "cyber-incident",
) -> Stored:
    """A report (a cyber incident unless told) submitted through the real intake."""
    objects = (
        (InvolvedObject("infrastructure", "pipeline control system", None, infrastructure),)
        if infrastructure
        else ()
    )
    draft = Draft(
        narrative,
        NOW - timedelta(hours=hours_ago),
        event_type=event_type,
        lat=lat,
        lon=lon,
        tlp=tlp,
        classification=classification,
        objects=objects,
    )
    return submit(who.ctx(engine, settings), load_bundled(), RuleClassifier(), draft)
