"""Writing a collection over TAXII: add objects (a status resource comes back), remove an
object, read a status.

**Add.** The envelope's objects are checked one by one (:mod:`qalxan.cti.taxii.checks`); the
good ones are stored through :func:`qalxan.cti.store.put` into the collection, owned by the
caller's agency, in one audited transaction. Each object's fate is in the status resource:
stored, already there word for word (also a success: TAXII adds are idempotent), or refused
with the reason. The work is done before the answer, so the status is always ``complete``.

**Delete** (TAXII 2.1 section 5.7). The store is append-only: a STIX version, once stored, is
never erased (it may be part of an incident's evidence or another collection). Deleting an
object from a collection removes the matching versions from *this collection* (all of them
unless ``match[version]``/``match[spec_version]`` narrow it): they no longer appear in its
objects, manifest or versions, and adding them again puts them back with a new
``date_added``. Only versions the caller can see are removed; none matching is a 404.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete

from qalxan.access import audit, policy
from qalxan.cti import collections, statistics, store
from qalxan.cti.tables import CtiStatusRow
from qalxan.cti.taxii import checks, filters, resources
from qalxan.cti.taxii.query import Entry, Obj, selection
from qalxan.cti.taxii.reading import Params, stamp
from qalxan.errors import InvalidInput, NotFound

MAX_OBJECTS = 50_000
DELETE_ACTION = "update"


def add(ctx: audit.Context, api_root: str, collection_id: str, body: bytes) -> dict[str, Any]:
    """Add Objects (5.5): the status resource of the envelope ``body``."""
    principal = ctx.principal
    status_id = str(uuid.uuid4())
    with audit.recorded(ctx, "cti.taxii.add", collections.AUDIT_TYPE, collection_id) as rec:
        policy.require(principal, collections.RECORD_TYPE, "create")
        session = rec.session
        row, _ = collections.get(session, principal, api_root, collection_id, "write")
        rec.entry.record_agency = row.owner_agency
        objects = _objects(body)
        now = datetime.now(UTC)
        good: list[dict[str, Any]] = []
        failures: list[dict[str, str]] = []
        for obj in objects:
            problem = checks.problem(obj, principal)
            if problem is None:
                good.append(obj)
            else:
                failures.append(_detail(obj, problem))
        outcome = store.put(
            session,
            good,
            agency=principal.agency_id or "",
            actor=principal.username,
            collection_id=row.id,
            now=now,
        )
        successes, refused = _fates(good, outcome, stamp(now))
        failures += refused
        status = CtiStatusRow(
            id=status_id,
            api_root=api_root,
            collection_id=row.id,
            status="complete",
            request_timestamp=now,
            total_count=len(objects),
            success_count=len(successes),
            failure_count=len(failures),
            pending_count=0,
            successes=successes,
            failures=failures,
            pendings=[],
            agency_id=principal.agency_id or "",
            created_by=principal.username[:200],
        )
        session.add(status)
        rec.entry.detail = {
            "status": status_id,
            "total": len(objects),
            "stored": len(outcome.stored),
            "already": len(outcome.already),
            "added": outcome.added,
            "failed": len(failures),
        }
    statistics.after_import(ctx.trail.engine, max(len(outcome.stored), outcome.added))
    return resource(status)


def _fates(
    good: list[dict[str, Any]], outcome: store.Outcome, unversioned: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Each stored object's status detail, one per object sent (a duplicate in the request
    gets its own; a second, different copy of one version is refused)."""
    stored = set(outcome.stored)
    reasons = {(f.stix_id, f.version): f.reason for f in outcome.failures}
    by_id = {f.stix_id: f.reason for f in outcome.failures}
    seen: set[tuple[str, str]] = set()
    successes: list[dict[str, str]] = []
    failures: list[dict[str, str]] = []
    for obj in good:
        key = (str(obj.get("id"))[:128], store.version_of(obj))
        version = key[1] or unversioned
        if key in outcome.rows and not (key in seen and key in reasons):
            message = "stored" if key in stored and key not in seen else "already stored"
            successes.append({"id": key[0], "version": version, "message": message})
        else:
            reason = reasons.get(key) or by_id.get(key[0], "not stored")
            failures.append({"id": key[0], "version": version, "message": reason})
        seen.add(key)
    return successes, failures


def _objects(body: bytes) -> list[Any]:
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("body: not a JSON document", field="body") from None
    if not isinstance(envelope, dict):
        raise InvalidInput("body: an envelope is a JSON object", field="body")
    objects = envelope.get("objects", [])
    if not isinstance(objects, list):
        raise InvalidInput("objects: must be a list of STIX objects", field="objects")
    if len(objects) > MAX_OBJECTS:
        raise InvalidInput(f"objects: at most {MAX_OBJECTS} in one request", field="objects")
    return objects


def _detail(obj: Any, message: str) -> dict[str, str]:
    found = obj if isinstance(obj, dict) else {}
    object_id = found.get("id")
    return {
        "id": object_id if isinstance(object_id, str) else "",
        "version": store.version_of(found),
        "message": message,
    }


def resource(status: CtiStatusRow) -> dict[str, Any]:
    return {
        "id": status.id,
        "status": status.status,
        "request_timestamp": stamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": status.success_count,
        "successes": list(status.successes),
        "failure_count": status.failure_count,
        "failures": list(status.failures),
        "pending_count": status.pending_count,
        "pendings": list(status.pendings),
    }


def status(ctx: audit.Context, api_root: str, status_id: str) -> dict[str, Any]:
    """Get Status (4.3): only for the agency whose request it answers."""
    with audit.recorded(ctx, "cti.taxii.status", "cti_status", status_id) as rec:
        resources.require(ctx.principal)
        row = rec.session.get(CtiStatusRow, status_id)
        if row is None or row.api_root != api_root or row.agency_id != ctx.principal.agency_id:
            raise NotFound(f"no status has the id {status_id!r}", field="status_id")
        rec.entry.record_agency = row.agency_id
        return resource(row)


def remove(
    ctx: audit.Context, api_root: str, collection_id: str, object_id: str, params: Params
) -> int:
    """Delete an Object (5.7) from the collection; how many versions were removed."""
    principal = ctx.principal
    with audit.recorded(ctx, "cti.taxii.delete", collections.AUDIT_TYPE, collection_id) as rec:
        policy.require(principal, collections.RECORD_TYPE, DELETE_ACTION)
        session = rec.session
        row, _ = collections.get(session, principal, api_root, collection_id, "read,write")
        rec.entry.record_agency = row.owner_agency
        chosen = filters.parse(params, filters.DELETE, "all")
        matching = selection(
            (Entry.seq, Obj.version), row.id, principal, chosen, object_id=object_id
        )
        found = session.execute(matching).all()
        if not found:
            raise NotFound(f"the collection holds no such version of {object_id!r}", "object_id")
        seqs = [r.seq for r in found]
        for start in range(0, len(seqs), store.CHUNK):
            session.execute(delete(Entry).where(Entry.seq.in_(seqs[start : start + store.CHUNK])))
        rec.entry.detail = {"object_id": object_id, "versions": [r.version for r in found]}
    return len(found)
