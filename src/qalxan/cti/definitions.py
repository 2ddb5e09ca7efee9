"""The marking definitions an export must carry: those its objects reference.

A definition stored in the platform goes out as stored (its newest version the caller may
read). Otherwise the well-known ones are written out: the five TLP 2.0 definitions as the
OASIS extension publishes them, the TLP 1.0 definitions of STIX 2.1 itself (section 7.2.1.4),
and Qalxan's national classification definitions with the extension definition and the
identity they name. A reference to anything else is left as it is (the receiver may know it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.cti import markings
from qalxan.cti.store import CHUNK
from qalxan.cti.tables import CtiObjectRow

TLP1_CREATED = "2017-01-20T00:00:00.000Z"


def referenced(
    session: Session, principal: Principal, texts: Iterable[str], present: set[str]
) -> list[str]:
    """JSON texts of the definitions the objects reference that are not among them."""
    wanted: set[str] = set()
    for text in texts:
        if "marking-definition--" in text:  # most objects carry none: skip the parse
            wanted |= refs_of(json.loads(text))
    wanted -= present
    found = _stored(session, principal, wanted)
    for ref in sorted(wanted - set(found)):
        for obj in known(ref):
            if obj["id"] not in present and obj["id"] not in found:
                found[obj["id"]] = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return [found[key] for key in sorted(found)]


def refs_of(obj: dict[str, Any]) -> set[str]:
    refs = set(markings.object_refs(obj))
    for granular in obj.get("granular_markings") or []:
        if isinstance(granular, dict) and isinstance(granular.get("marking_ref"), str):
            refs.add(granular["marking_ref"])
    return refs


def known(ref: str) -> list[dict[str, Any]]:
    """The definition of a well-known marking (with what it names), or nothing."""
    return [dict(obj) for obj in _known().get(ref, [])]


@cache
def _known() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for code in markings.ids().tlp2:
        found[markings.tlp_id(code)] = [markings.tlp_definition(code)]
    for code, ref in markings.ids().tlp1.items():
        found[ref] = [_tlp1(code, ref)]
    qalxan = [markings.identity(), markings.classification_extension()]
    for level in scheme().classifications:
        definition = markings.classification_definition(level.code)
        found[definition["id"]] = [definition, *qalxan]
    return found


def _tlp1(code: str, ref: str) -> dict[str, Any]:
    colour = "white" if code == "CLEAR" else code.lower()
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": ref,
        "created": TLP1_CREATED,
        "definition_type": "tlp",
        "name": f"TLP:{colour.upper()}",
        "definition": {"tlp": colour},
    }


def _stored(session: Session, principal: Principal, refs: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    ordered = sorted(refs)
    for start in range(0, len(ordered), CHUNK):
        query = select(CtiObjectRow.stix_id, CtiObjectRow.body).where(
            CtiObjectRow.stix_id.in_(ordered[start : start + CHUNK]),
            CtiObjectRow.latest.is_(True),
            policy.visible(principal, CtiObjectRow),
        )
        found.update((stix_id, body) for stix_id, body in session.execute(query))
    return found
