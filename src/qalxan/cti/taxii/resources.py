"""The descriptive TAXII resources: discovery, API roots, collections.

An API root exists while a collection lives under it (roots are made by creating collections).
Discovery lists every root; a root's collections are those the caller may read or write, each
with the caller's own ``can_read``/``can_write``. Each call is audited like any read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.cti import collections
from qalxan.cti.collections import Rights
from qalxan.cti.tables import CtiCollectionRow, CtiEntryRow, CtiObjectRow
from qalxan.cti.taxii import media
from qalxan.errors import Forbidden, NotFound

TITLE = "Qalxan TAXII 2.1"
DESCRIPTION = "Cyber threat intelligence of the national CERT and its partners."
# A request body may be this large (bytes); the web layer refuses larger ones first.
MAX_CONTENT_LENGTH = 10 * 1024 * 1024


def require(principal: Principal) -> None:
    """Readers and writers of collections may look around; nobody else."""
    record_type = collections.RECORD_TYPE
    if policy.may_use(principal, record_type, policy.READ):
        policy.require(principal, record_type, policy.READ)
    elif policy.may_use(principal, record_type, "create"):
        policy.require(principal, record_type, "create")
    else:
        raise Forbidden(f"your roles do not permit {record_type}:read")


def roots(session: Session) -> list[str]:
    query = select(CtiCollectionRow.api_root).distinct().order_by(CtiCollectionRow.api_root)
    return list(session.scalars(query))


def discovery(ctx: audit.Context, base_url: str) -> dict[str, Any]:
    """Server Discovery (4.1); ``base_url`` is where the discovery endpoint is served."""
    with audit.recorded(ctx, "cti.taxii.discovery", collections.AUDIT_TYPE) as rec:
        require(ctx.principal)
        found = roots(rec.session)
    answer: dict[str, Any] = {
        "title": TITLE,
        "description": DESCRIPTION,
        "api_roots": [f"{base_url}{root}/" for root in found],
    }
    if len(found) == 1:
        answer["default"] = answer["api_roots"][0]
    return answer


def api_root(ctx: audit.Context, name: str) -> dict[str, Any]:
    """Get API Root Information (4.2)."""
    with audit.recorded(ctx, "cti.taxii.api-root", collections.AUDIT_TYPE) as rec:
        require(ctx.principal)
        _check_root(rec.session, name)
    return {
        "title": f"{TITLE}: {name}",
        "description": DESCRIPTION,
        "versions": [media.TAXII_21],
        "max_content_length": MAX_CONTENT_LENGTH,
    }


def _check_root(session: Session, name: str) -> None:
    if name not in roots(session):
        raise NotFound(f"no API root is named {name!r}", field="api_root")


def listing(ctx: audit.Context, name: str) -> dict[str, Any]:
    """Get Collections (5.1)."""
    with audit.recorded(ctx, "cti.taxii.collections", collections.AUDIT_TYPE) as rec:
        require(ctx.principal)
        session = rec.session
        _check_root(session, name)
        found = collections.visible(session, ctx.principal, name)
        kinds = _media_types(session, [row.id for row, _ in found])
        rec.entry.detail = {"api_root": name, "count": len(found)}
        return {"collections": [_resource(row, r, kinds.get(row.id)) for row, r in found]}


def collection(ctx: audit.Context, name: str, collection_id: str) -> dict[str, Any]:
    """Get a Collection (5.2)."""
    action = "cti.taxii.collection"
    with audit.recorded(ctx, action, collections.AUDIT_TYPE, collection_id) as rec:
        require(ctx.principal)
        session = rec.session
        row, found = collections.get(session, ctx.principal, name, collection_id)
        rec.entry.record_agency = row.owner_agency
        return _resource(row, found, _media_types(session, [row.id]).get(row.id))


def _media_types(session: Session, collection_ids: list[str]) -> dict[str, list[str]]:
    """The STIX versions each collection holds."""
    if not collection_ids:
        return {}
    query = (
        select(CtiEntryRow.collection_id, CtiObjectRow.spec_version)
        .join(CtiObjectRow, CtiObjectRow.id == CtiEntryRow.object_id)
        .where(CtiEntryRow.collection_id.in_(collection_ids))
        .distinct()
    )
    found: dict[str, list[str]] = {}
    for collection_id, spec_version in session.execute(query):
        found.setdefault(collection_id, []).append(media.stix(spec_version))
    return {k: sorted(v) for k, v in found.items()}


def _resource(row: CtiCollectionRow, rights: Rights, kinds: list[str] | None) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": row.id, "title": row.title}
    if row.description:
        answer["description"] = row.description
    if row.alias:
        answer["alias"] = row.alias
    answer["can_read"] = rights.can_read
    answer["can_write"] = rights.can_write
    answer["media_types"] = kinds or [media.STIX_21]
    return answer
