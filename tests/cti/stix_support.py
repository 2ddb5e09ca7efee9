"""Small STIX objects made inline, the shared OASIS and ATT&CK files, and the CERT's people."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.cti import markings
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.conftest import SHARED
from tests.people import make_person

CTI_DATA = SHARED / "data" / "cti"
STIX = CTI_DATA / "stix"
ATTACK = CTI_DATA / "attack"
ICS = ATTACK / "ics-attack-18.1.json"
MOBILE = ATTACK / "mobile-attack-17.1.json"
BROKEN = STIX / "tlp2" / "using-tlp2.0-green.json"
CERT, SBS = "agency-ess", "agency-sbs"
T0 = "2024-03-01T10:00:00.000Z"
GREEN = markings.tlp_id("GREEN")
AMBER = markings.tlp_id("AMBER")


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference data absent: {path} (set QALXAN_SHARED_DIR)")
    return path


def examples() -> list[Path]:
    """Every OASIS example bundle or object (threat reports included)."""
    return sorted(shared(STIX / "examples").rglob("*.json"))


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(shared(path).read_text("utf-8"))
    return loaded


def objects_of(path: Path) -> list[dict[str, Any]]:
    document = load(path)
    found: list[dict[str, Any]] = document.get("objects", [document])
    return found


def stix_id(stix_type: str, seed: str) -> str:
    """A deterministic id shaped like a UUIDv4 (as STIX asks of SDOs and SROs)."""
    return f"{stix_type}--{uuid.UUID(int=random.Random(seed).getrandbits(128), version=4)}"


def indicator(
    seed: str = "c2",
    *,
    value: str = "198.51.100.7",
    modified: str = T0,
    marking: str | None = GREEN,
    **extra: Any,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id("indicator", seed),
        "created": T0,
        "modified": modified,
        "name": f"C2 server {value}",
        "description": f"Command and control at {value}.",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": T0,
    }
    if marking is not None:
        obj["object_marking_refs"] = [marking]
    return {**obj, **extra}


def sdo(stix_type: str, seed: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": stix_id(stix_type, seed),
        "created": T0,
        "modified": T0,
        "name": name,
        **extra,
    }


def relationship(source: str, kind: str, target: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": stix_id("relationship", f"{source}{kind}{target}"),
        "created": T0,
        "modified": T0,
        "relationship_type": kind,
        "source_ref": source,
        "target_ref": target,
        **extra,
    }


def sighting(of: str, where: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "type": "sighting",
        "spec_version": "2.1",
        "id": stix_id("sighting", f"{of}{where}"),
        "created": T0,
        "modified": T0,
        "sighting_of_ref": of,
        "where_sighted_refs": where,
        **extra,
    }


@dataclass
class Cast:
    cert: Context  # CERT analyst of the Electronic Security Service, cleared SECRET
    low: Context  # CERT analyst cleared RESTRICTED
    neighbour: Context  # an analyst of another agency (cti:read only)
    outsider: Context  # a screening officer: no cti permission at all


def make_cast(engine: Engine, settings: Settings) -> Cast:
    def ctx(name: str, agency: str, role: str, clearance: str = "secret") -> Context:
        person = make_person(engine, settings, name, agency, [role], clearance, with_key=False)
        return person.ctx(engine, settings)

    return Cast(
        cert=ctx("cert", CERT, "cert_analyst"),
        low=ctx("low", CERT, "cert_analyst", "restricted"),
        neighbour=ctx("neighbour", SBS, "analyst"),
        outsider=ctx("outsider", SBS, "screening_officer"),
    )


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))
