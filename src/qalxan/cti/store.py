"""Writing STIX objects: each version stored once, the newest version of each id flagged, and
the versions added to a TAXII collection.

:func:`put` is the one writer (bundles, MISP events, TAXII POSTs and ATT&CK all come through
it). It does not commit and does not audit: the caller's transaction and audit entry hold it.
Putting the same objects twice stores nothing new; an object whose id and version are already
stored with other content is refused (STIX: a producer must change ``modified`` when it changes
an object), and so is an object without a usable id, type or timestamp.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from qalxan.cti import index, markings
from qalxan.cti.tables import CtiEntryRow, CtiObjectRow
from qalxan.store.ids import new_id

CHUNK = 500
# The UUID's hex digits in either case, as the STIX 2.1 schema allows (an OASIS example
# has one in upper case); the id is kept exactly as given.
STIX_ID = re.compile(
    r"^([a-z0-9][a-z0-9-]{1,62})--"
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$")
# STIX 2.1 cyber-observable types (section 6), whose spec_version may be left out.
OBSERVABLE_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)
# Names worth searching by, in the order they are tried.
NAME_FIELDS = ("name", "value", "pattern", "relationship_type", "path", "number", "key")


@dataclass(frozen=True)
class Failure:
    stix_id: str
    version: str
    reason: str


@dataclass
class Outcome:
    """What became of each object: ``stored`` is new, ``already`` was there word for word."""

    stored: list[tuple[str, str]] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    added: int = 0  # versions newly added to the collection (stored or already there)
    rows: dict[tuple[str, str], str] = field(default_factory=dict)  # version -> row id


@dataclass(frozen=True)
class _Version:
    stix_id: str
    stix_type: str
    version: str
    version_at: datetime | None
    body: str
    digest: str
    obj: Mapping[str, Any]


def spec_version_of(obj: Mapping[str, Any]) -> str:
    """The STIX version an object is written in. Without ``spec_version`` it is STIX 2.0,
    except a cyber-observable, for which STIX 2.1 makes the property optional."""
    stated = obj.get("spec_version")
    if isinstance(stated, str) and stated:
        return stated[:8]
    return "2.1" if obj.get("type") in OBSERVABLE_TYPES else "2.0"


def version_of(obj: Mapping[str, Any]) -> str:
    """The version as TAXII names it: ``modified``, else ``created``, else none."""
    value = obj.get("modified") or obj.get("created") or ""
    return value if isinstance(value, str) else ""


def parse_timestamp(value: str) -> datetime | None:
    """A STIX timestamp (always UTC, ``Z``) to a datetime; sub-microseconds are cut."""
    match = TIMESTAMP.match(value)
    if match is None:
        return None
    fraction = (match.group(2) or ".0")[1:7].ljust(6, "0")
    return datetime.fromisoformat(match.group(1)).replace(microsecond=int(fraction), tzinfo=UTC)


def canonical(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _prepare(obj: Mapping[str, Any]) -> _Version | Failure:
    stix_id = obj.get("id")
    if not isinstance(stix_id, str) or STIX_ID.match(stix_id) is None:
        return Failure(str(stix_id)[:128], "", "id: not a STIX identifier (<type>--<UUID>)")
    stix_type = obj.get("type")
    if stix_type != stix_id.split("--", 1)[0]:
        return Failure(stix_id, "", f"type: {stix_type!r} does not match the id's type")
    version = version_of(obj)
    version_at = parse_timestamp(version) if version else None
    if version and version_at is None:
        return Failure(stix_id, version, "modified: not a STIX timestamp (YYYY-MM-DDTHH:MM:SSZ)")
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical(obj).encode()).hexdigest()
    return _Version(stix_id, stix_type, version, version_at, body, digest, obj)


def _name(obj: Mapping[str, Any]) -> str | None:
    for key in NAME_FIELDS:
        value = obj.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)[:300]
    return None


def put(
    session: Session,
    objects: Iterable[Mapping[str, Any]],
    *,
    agency: str,
    actor: str,
    collection_id: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Store the versions not yet stored and add them all to ``collection_id`` (when given)."""
    now = now or datetime.now(UTC)
    outcome = Outcome()
    batch: dict[tuple[str, str], _Version] = {}
    for obj in objects:
        prepared = _prepare(obj)
        if isinstance(prepared, Failure):
            outcome.failures.append(prepared)
            continue
        key = (prepared.stix_id, prepared.version)
        seen = batch.get(key)
        if seen is not None and seen.digest != prepared.digest:
            outcome.failures.append(Failure(*key, "the same id and version twice, differently"))
            continue
        batch[key] = prepared
    known = _known(session, {k[0] for k in batch})
    fresh: list[_Version] = []
    for key, prepared in batch.items():
        found = known.get(key)
        if found is None:
            fresh.append(prepared)
        elif found[1] != prepared.digest:
            outcome.failures.append(
                Failure(*key, "modified: another object with this id and version is stored")
            )
        else:
            outcome.already.append(key)
            outcome.rows[key] = found[0]
    newest, stale = _newest(known, fresh)
    _insert(session, fresh, newest, agency, actor, now, outcome)
    index.add(session, ((outcome.rows[(v.stix_id, v.version)], v.obj) for v in fresh))
    for start in range(0, len(stale), CHUNK):
        session.execute(
            update(CtiObjectRow)
            .where(CtiObjectRow.id.in_(stale[start : start + CHUNK]))
            .values(latest=False)
        )
    if collection_id is not None:
        outcome.added = _add_to(session, collection_id, list(outcome.rows.values()), now)
    return outcome


def _known(session: Session, stix_ids: set[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """(stix_id, version) -> (row id, digest) of every stored version of these ids."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    ordered = sorted(stix_ids)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        query = select(
            CtiObjectRow.stix_id, CtiObjectRow.version, CtiObjectRow.id, CtiObjectRow.digest
        ).where(CtiObjectRow.stix_id.in_(chunk))
        for stix_id, version, row_id, digest in session.execute(query):
            found[(stix_id, version)] = (row_id, digest)
    return found


def _insert(
    session: Session,
    fresh: Sequence[_Version],
    newest: Mapping[str, str],
    agency: str,
    actor: str,
    now: datetime,
    outcome: Outcome,
) -> None:
    rows: list[dict[str, Any]] = []
    for v in fresh:
        refs = markings.object_refs(dict(v.obj))
        row_id = new_id()
        rows.append(
            {
                "id": row_id,
                "owner_agency": agency,
                "owner_unit": None,
                "classification": markings.classification_of(refs),
                "tlp": markings.tlp_of(refs),
                "stix_id": v.stix_id,
                "stix_type": v.stix_type,
                "spec_version": spec_version_of(v.obj),
                "version": v.version,
                "version_at": v.version_at,
                "latest": newest[v.stix_id] == v.version,
                "revoked": v.obj.get("revoked") is True,
                "name": _name(v.obj),
                "body": v.body,
                "digest": v.digest,
                "date_added": now,
                "added_by": actor[:200],
            }
        )
        outcome.stored.append((v.stix_id, v.version))
        outcome.rows[(v.stix_id, v.version)] = row_id
    # The table, not the mapped class: the ORM's bulk insert groups consecutive rows by which
    # columns are None (no name, no TLP, no timestamp) and sent mixed content a row or two at a
    # time (14,000 statements for 25,000 objects); every row here gives every column.
    table = cast(Table, CtiObjectRow.__table__)
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def _order(version: str) -> tuple[str, str]:
    """Sort key of a version: STIX timestamps compare as text once fractions are padded."""
    match = TIMESTAMP.match(version)
    if match is None:
        return ("", version)
    return (match.group(1), (match.group(2) or ".")[1:].ljust(9, "0"))


def _newest(
    known: Mapping[tuple[str, str], tuple[str, str]], fresh: Sequence[_Version]
) -> tuple[dict[str, str], list[str]]:
    """The newest version of each id with a fresh version, and the stored rows that are no
    longer the newest (an older version arriving late changes nothing)."""
    versions: dict[str, list[str]] = {}
    for v in fresh:
        versions.setdefault(v.stix_id, []).append(v.version)
    for stix_id, version in known:
        if stix_id in versions:
            versions[stix_id].append(version)
    newest = {sid: max(vs, key=_order) for sid, vs in versions.items()}
    stale = [row for (sid, ver), (row, _) in known.items() if sid in newest and ver != newest[sid]]
    return newest, stale


def _add_to(session: Session, collection_id: str, row_ids: list[str], now: datetime) -> int:
    """Add versions to the collection, each a microsecond after the one before."""
    present: set[str] = set()
    for start in range(0, len(row_ids), CHUNK):
        chunk = row_ids[start : start + CHUNK]
        query = select(CtiEntryRow.object_id).where(
            CtiEntryRow.collection_id == collection_id, CtiEntryRow.object_id.in_(chunk)
        )
        present.update(session.scalars(query))
    missing = [r for r in dict.fromkeys(row_ids) if r not in present]
    last = session.scalar(
        select(CtiEntryRow.date_added)
        .where(CtiEntryRow.collection_id == collection_id)
        .order_by(CtiEntryRow.date_added.desc())
        .limit(1)
    )
    start_at = now if last is None else max(now, _aware(last) + timedelta(microseconds=1))
    entries = [
        {
            "collection_id": collection_id,
            "object_id": row_id,
            "date_added": start_at + timedelta(microseconds=i),
        }
        for i, row_id in enumerate(missing)
    ]
    for start in range(0, len(entries), CHUNK):
        session.execute(insert(CtiEntryRow), entries[start : start + CHUNK])
    return len(entries)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
