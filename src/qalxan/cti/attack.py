"""MITRE ATT&CK: a domain's bundle loaded into its collection, and techniques by ATT&CK id.

Loading is an import like any other (:func:`qalxan.cti.ingest.import_objects`) into the
collection named for the domain (``mitre-attack-enterprise``, ``mitre-attack-ics``,
``mitre-attack-mobile``), made under the ``cert`` API root the first time. A newer ATT&CK
release stores the objects it changed as new versions, its revocations included.

A technique is the ``attack-pattern`` whose ATT&CK external reference carries the id
(``T0800``, ``T1059.001``). Where several match (a technique revoked in favour of another
keeps its id in older releases), current ones come first: not revoked, not deprecated.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.cti import collections, ingest, sources
from qalxan.cti.free_text import contains
from qalxan.cti.objects import RECORD_TYPE
from qalxan.cti.tables import CtiCollectionRow, CtiObjectRow
from qalxan.cti.validate import InvalidStix
from qalxan.errors import InvalidInput, NotFound
from qalxan.store.engine import transaction

API_ROOT = "cert"
DOMAINS = {"enterprise-attack": "enterprise", "ics-attack": "ics", "mobile-attack": "mobile"}
# ATT&CK names its references "mitre-attack"; releases before v9 named the domain too.
SOURCES = frozenset({"mitre-attack", "mitre-ics-attack", "mitre-mobile-attack"})
ATTACK_ID = re.compile(r"^T\d{4}(\.\d{3})?$")
# Collections of every installation get the same id: uuid5 of the alias in this namespace.
NAMESPACE = uuid.UUID("6d1c0d2e-4f0b-4f7e-9a43-2f1f5e3b7a10")


def alias_of(domain: str) -> str:
    return f"mitre-attack-{DOMAINS[domain]}"


def domain_of(objects: Sequence[Mapping[str, Any]]) -> str:
    """The ATT&CK domain of a bundle, from its techniques' ``x_mitre_domains``."""
    seen: Counter[str] = Counter()
    for obj in objects:
        if obj.get("type") == "attack-pattern":
            seen.update(d for d in obj.get("x_mitre_domains") or [] if d in DOMAINS)
    if not seen:
        known = ", ".join(DOMAINS)
        raise InvalidInput(
            f"objects: not an ATT&CK bundle: no technique names its domain ({known})", "objects"
        )
    return seen.most_common(1)[0][0]


def load(ctx: audit.Context, path: Path) -> ingest.Result:
    """Import an ATT&CK bundle file into its domain's collection."""
    unit = sources.read_file(path)
    if unit.problems:
        raise InvalidStix(unit.problems)
    return load_objects(ctx, unit.objects, str(path))


def load_objects(
    ctx: audit.Context, objects: list[dict[str, Any]], source: str = "ATT&CK"
) -> ingest.Result:
    domain = domain_of(objects)
    alias = alias_of(domain)
    with transaction(ctx.trail.engine) as session:
        collection_id = session.scalar(
            select(CtiCollectionRow.id).where(
                CtiCollectionRow.api_root == API_ROOT, CtiCollectionRow.alias == alias
            )
        )
    if collection_id is None:
        title = next(
            (str(o["name"]) for o in objects if o.get("type") == "x-mitre-collection"),
            f"{DOMAINS[domain].capitalize()} ATT&CK",
        )
        collection_id = collections.create(
            ctx,
            api_root=API_ROOT,
            title=f"MITRE {title}",
            description=f"The MITRE ATT&CK {DOMAINS[domain]} domain ({domain}).",
            alias=alias,
            collection_id=str(uuid.uuid5(NAMESPACE, alias)),
        ).id
    return ingest.import_objects(ctx, objects, collection=collection_id, source=source)


def attack_id_of(obj: Mapping[str, Any]) -> str | None:
    """The ATT&CK id of an object (techniques, tactics, groups, software...), if any."""
    for ref in obj.get("external_references") or []:
        if isinstance(ref, dict) and ref.get("source_name") in SOURCES:
            value = ref.get("external_id")
            return value if isinstance(value, str) else None
    return None


def technique(ctx: audit.Context, attack_id: str) -> CtiObjectRow:
    """The current technique with this ATT&CK id (audited as a read of it)."""
    wanted = check_id(attack_id)
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, wanted) as rec:
        found = techniques_in(rec.session, ctx.principal, wanted)
        if not found:
            raise NotFound(f"no loaded ATT&CK technique has the id {wanted!r}", "attack_id")
        rec.entry.record_agency = found[0].owner_agency
        rec.entry.detail = {"attack_id": wanted, "stix_ids": [r.stix_id for r in found]}
    return found[0]


def techniques_in(session: Session, principal: Principal, attack_id: str) -> list[CtiObjectRow]:
    """Every newest technique version with this ATT&CK id the caller may read, current ones
    first (not revoked, not deprecated). Not audited: the caller's transaction audits."""
    wanted = check_id(attack_id)
    policy.require(principal, RECORD_TYPE, policy.READ)
    # The stored JSON is compact, so the id appears exactly like this; the parse confirms it.
    needle = contains(f'"external_id":{json.dumps(wanted)}')
    query = select(CtiObjectRow).where(
        CtiObjectRow.stix_type == "attack-pattern",
        CtiObjectRow.latest.is_(True),
        CtiObjectRow.body.like(needle, escape="\\"),
        policy.visible(principal, CtiObjectRow),
    )
    found = []
    for row in session.scalars(query):
        obj = json.loads(row.body)
        if attack_id_of(obj) == wanted:
            found.append((bool(obj.get("revoked") or obj.get("x_mitre_deprecated")), row))
    found.sort(key=lambda pair: (pair[0], pair[1].stix_id))
    return [row for _, row in found]


def check_id(attack_id: str) -> str:
    value = attack_id.strip().upper()
    if not ATTACK_ID.match(value):
        raise InvalidInput(
            "attack_id: an ATT&CK technique id such as T0800 or T1059.001", "attack_id"
        )
    return value
