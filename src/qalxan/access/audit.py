"""The audit trail: append-only, hash-chained, written in the same transaction as the action.

Each record's hash is ``sha256(previous hash + canonical JSON of the record)``, so changing,
inserting or deleting any row breaks every later link (:mod:`qalxan.access.chain` checks it).
The head row ``audit_head`` holds the newest link; taking its row lock first serialises
appends across processes. Every
``checkpoint_every`` records a checkpoint signed with the platform key is written, so that even
someone who rewrites the whole chain cannot make it verify.

Use :func:`recorded`: the action and its audit record commit together; when the action fails,
its transaction is rolled back and a record of the failed attempt is written instead, so that
no record claims an action that did not happen and no attempt goes unrecorded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qalxan.access.principal import Principal
from qalxan.access.signing import Signer
from qalxan.access.tables import AuditCheckpointRow
from qalxan.errors import Forbidden, NotFound, QalxanError, TooManyRequests, Unauthorized
from qalxan.store.engine import driver, write_transaction

Outcome = Literal["success", "denied", "invalid", "error"]
GENESIS = "0" * 64
HEAD_ID = 1
log = logging.getLogger(__name__)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def timestamp(at: datetime) -> str:
    """The form of a time inside the hash; SQLite returns naive UTC, PostgreSQL aware."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The hashed fields, in order; ``detail`` follows them as canonical JSON.
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "actor_agency",
    "via",
    "action",
    "record_type",
    "record_id",
    "record_agency",
    "outcome",
    "ip",
    "user_agent",
)


def link_hash(prev_hash: str, fields: Sequence[Any], detail_json: str) -> str:
    """``sha256(prev_hash + canonical JSON of [*fields, detail])``.

    ``fields`` are the values of :data:`FIELDS` with ``at`` already in :func:`timestamp` form;
    ``detail_json`` is the canonical JSON of the detail. Built by string concatenation so that
    verification can hash the stored detail text without decoding it.
    """
    return tail_hash(prev_hash, fields[0], tail_of(fields[1:], detail_json))


def tail_of(rest: Sequence[Any], detail_json: str) -> str:
    """What the hash covers after the sequence number: the canonical JSON of
    ``[*rest, detail]`` without its opening bracket."""
    text = json.dumps(list(rest), separators=(",", ":"), ensure_ascii=False)
    return f"{text[1:-1]},{detail_json}]"


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of an audit row given as a mapping of its columns."""
    fields = [timestamp(row[f]) if f == "at" else row[f] for f in FIELDS]
    return link_hash(prev_hash, fields, canonical(row["detail"]))


def checkpoint_message(seq: int, hash_: str, at: datetime) -> bytes:
    return f"qalxan-audit-checkpoint:{seq}:{hash_}:{timestamp(at)}".encode("ascii")


@dataclass(frozen=True)
class Trail:
    """Where audit records go: the database, and the key that signs checkpoints."""

    engine: Engine
    signer: Signer | None = None
    checkpoint_every: int = 1000


@dataclass(frozen=True)
class Context:
    """Who acts, from where, recorded where: what every audited operation is given."""

    principal: Principal
    trail: Trail
    ip: str | None = None
    user_agent: str | None = None


@dataclass
class Entry:
    """What an audit record says; the operation fills in what it learns as it goes."""

    action: str
    record_type: str | None = None
    record_id: str | None = None
    record_agency: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


INSERT = (
    f"INSERT INTO audit_log ({', '.join(FIELDS)}, detail, prev_hash, hash) "  # noqa: S608
    f"VALUES ({', '.join('?' * (len(FIELDS) + 3))})"
)


APPEND_FUNCTION = (
    f"SELECT seq, prev_hash, hash FROM audit_append({', '.join('?' * (len(FIELDS) + 1))})"  # noqa: S608
)


def tail_hash(prev_hash: str, seq: int, tail: str) -> str:
    """The link hash from the sequence number and :func:`tail_of` the rest (the PostgreSQL
    function ``audit_append`` hashes the same text the same way)."""
    return hashlib.sha256(f"{prev_hash}[{seq},{tail}".encode()).hexdigest()


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value is not None else None


def append(session: Session, ctx: Context, entry: Entry, outcome: Outcome) -> dict[str, Any]:
    """Add a record to the chain inside ``session``'s transaction (committed with it).

    Driver statements rather than SQLAlchemy's: this runs on every protected request, and
    SQLAlchemy's per-statement work would cost more than the statements.
    """
    db = driver(session)
    principal = ctx.principal
    detail_json = canonical(entry.detail)
    # Cut to the columns' sizes: ids come from requests, and an attempt with an absurd id
    # must still be recorded (the full values are kept in the detail when cut).
    row: dict[str, Any] = {
        "at": datetime.now(UTC),
        "actor_id": principal.user_id,
        "actor_name": _cut(principal.username, 200),
        "actor_agency": principal.agency_id,
        "via": principal.via,
        "action": _cut(entry.action, 64),
        "record_type": _cut(entry.record_type, 32),
        "record_id": _cut(entry.record_id, 80),
        "record_agency": _cut(entry.record_agency, 80),
        "outcome": outcome,
        "ip": _cut(ctx.ip, 64),
        "user_agent": _cut(ctx.user_agent, 300),
        # Stored as its canonical text, so that what is stored is exactly what was hashed.
        "detail": json.loads(detail_json),
    }
    # Everything the hash covers after the sequence number, which only the head can give.
    tail = tail_of([timestamp(row[f]) if f == "at" else row[f] for f in FIELDS[1:]], detail_json)
    values = [db.timestamp(row[f]) if f == "at" else row[f] for f in FIELDS[1:]]
    if db.sqlite:
        # The write lock is already held (BEGIN IMMEDIATE), so two statements are cheap; a
        # trigger sets the head's hash to the new record's (migration 0002).
        seq, prev_hash = db.execute(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = ? RETURNING seq, hash", (HEAD_ID,)
        ).fetchone()
        new_hash = tail_hash(prev_hash, seq, tail)
        db.execute(INSERT, (seq, *values, detail_json, prev_hash, new_hash))
    else:
        # One round trip: the function locks the head, hashes the same text in the database
        # and inserts (migration 0002). The hash is the same as tail_hash() computes.
        seq, prev_hash, new_hash = db.execute(
            APPEND_FUNCTION, (*values, detail_json, tail)
        ).fetchone()
    row.update(seq=seq, prev_hash=prev_hash, hash=new_hash)
    trail = ctx.trail
    if trail.signer is not None and row["seq"] % trail.checkpoint_every == 0:
        add_checkpoint(session, trail.signer, row["seq"], row["hash"])
    return row


def add_checkpoint(session: Session, signer: Signer, seq: int, hash_: str) -> AuditCheckpointRow:
    at = datetime.now(UTC)
    checkpoint = AuditCheckpointRow(
        seq=seq,
        hash=hash_,
        at=at,
        key_id=signer.key_id,
        signature=signer.sign(checkpoint_message(seq, hash_, at)),
    )
    session.add(checkpoint)
    return checkpoint


def outcome_of(exc: Exception) -> Outcome:
    if isinstance(exc, Forbidden | Unauthorized | TooManyRequests) or getattr(exc, "hidden", False):
        return "denied"
    if isinstance(exc, NotFound | QalxanError):
        return "invalid"
    return "error"


@dataclass
class Recording:
    session: Session
    entry: Entry


@contextmanager
def recorded(
    ctx: Context, action: str, record_type: str | None = None, record_id: str | None = None
) -> Iterator[Recording]:
    """A write transaction for one audited action.

    On success the action and a ``success`` record commit together. On any exception the work
    is rolled back, a ``denied``/``invalid``/``error`` record is committed on its own, and the
    exception propagates.
    """
    entry = Entry(action, record_type, record_id)
    try:
        with write_transaction(ctx.trail.engine) as session:
            recording = Recording(session, entry)
            yield recording
            append(session, ctx, entry, "success")
    except Exception as exc:
        record_failure(ctx, entry, exc)
        raise


def record_failure(ctx: Context, entry: Entry, exc: Exception) -> None:
    entry.detail = {**entry.detail, "error": type(exc).__name__}
    if isinstance(exc, QalxanError):
        entry.detail["reason"] = getattr(exc, "audit_reason", None) or exc.message
    try:
        with write_transaction(ctx.trail.engine) as session:
            append(session, ctx, entry, outcome_of(exc))
    except Exception:
        log.exception("could not record the failed attempt at %s", entry.action)


def record(ctx: Context, entry: Entry, outcome: Outcome = "success") -> None:
    """Record an event that changes nothing else (a login, a refused attempt)."""
    with write_transaction(ctx.trail.engine) as session:
        append(session, ctx, entry, outcome)
