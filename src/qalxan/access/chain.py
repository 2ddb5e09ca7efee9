"""Verifying the audit chain: every link, the head, and every signed checkpoint.

Rows are read in ``seq`` order in batches, so that memory stays flat however long the trail,
and as the driver returns them (no type conversion): on SQLite the stored time and detail text
are hashed as they are, which is what lets a million records verify in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, bindparam, column, func, select, table

from qalxan.access import signing
from qalxan.access.audit import (
    FIELDS,
    GENESIS,
    HEAD_ID,
    canonical,
    checkpoint_message,
    link_hash,
    timestamp,
)
from qalxan.access.tables import AuditCheckpointRow, AuditHeadRow, AuditRow

BATCH = 20_000
# Untyped columns: the driver's values, without SQLAlchemy's conversions.
_LOG = table("audit_log", *(column(name) for name in (*FIELDS, "detail", "prev_hash", "hash")))
BATCH_SQL = (
    select(*_LOG.columns)
    .where(_LOG.c.seq > bindparam("after"))
    .order_by(_LOG.c.seq)
    .limit(bindparam("limit"))
)
AT = FIELDS.index("at")


def _hash_of(prev_hash: str, row: Any) -> str:
    fields = list(row[: len(FIELDS)])
    at = fields[AT]
    # SQLite returns the stored text 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); PostgreSQL a datetime.
    fields[AT] = at.replace(" ", "T", 1) + "Z" if isinstance(at, str) else timestamp(at)
    detail = row[len(FIELDS)]
    return link_hash(prev_hash, fields, detail if isinstance(detail, str) else canonical(detail))


@dataclass
class Break:
    seq: int
    reason: str


@dataclass
class Report:
    records: int = 0
    checkpoints: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def verify(
    engine: Engine,
    public_keys: dict[str, Ed25519PublicKey] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Walk the whole chain; stop at the first broken link (later links cannot be trusted)."""
    report = Report()
    with engine.connect() as conn:
        checkpoints = {c.seq: c for c in conn.execute(select(AuditCheckpointRow)).all()}
        head = conn.execute(select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID)).first()
        prev_hash, expected_seq, last = GENESIS, 1, 0
        while True:
            rows = conn.execute(BATCH_SQL, {"after": last, "limit": BATCH}).all()
            if not rows:
                break
            for row in rows:
                seq, stored_prev, stored_hash = row[0], row[-2], row[-1]
                if seq != expected_seq:
                    report.breaks.append(
                        Break(expected_seq, f"record {expected_seq} is missing (next is {seq})")
                    )
                    return report
                if stored_prev != prev_hash:
                    report.breaks.append(
                        Break(seq, f"its previous-hash does not match record {seq - 1}")
                    )
                    return report
                actual = _hash_of(prev_hash, row)
                if actual != stored_hash:
                    report.breaks.append(
                        Break(seq, "its contents do not match its hash (the record was changed)")
                    )
                    return report
                checkpoint = checkpoints.get(seq)
                if checkpoint is not None and checkpoint.hash != actual:
                    report.breaks.append(
                        Break(seq, "the chain differs from the signed checkpoint at this record")
                    )
                    return report
                prev_hash, expected_seq = actual, seq + 1
                report.records += 1
            last = rows[-1][0]
            report.last_seq, report.last_hash = last, prev_hash
            if progress is not None:
                progress(len(rows))
        if head is None or head.seq != report.last_seq or head.hash != report.last_hash:
            seq = report.last_seq + 1
            report.breaks.append(
                Break(
                    seq,
                    "the chain ends before its recorded head (records were removed from the end)"
                    if head is not None and head.seq > report.last_seq
                    else "the head does not match the last record",
                )
            )
            return report
        for seq, checkpoint in sorted(checkpoints.items()):
            if seq > report.last_seq:
                report.breaks.append(
                    Break(
                        seq,
                        "a checkpoint names a record that does not exist (records were removed)",
                    )
                )
                return report
            if public_keys is not None:
                key = public_keys.get(checkpoint.key_id)
                message = checkpoint_message(seq, checkpoint.hash, checkpoint.at)
                if key is None:
                    report.breaks.append(
                        Break(seq, f"checkpoint signed by unknown key {checkpoint.key_id}")
                    )
                    return report
                if not signing.verify(key, message, checkpoint.signature):
                    report.breaks.append(Break(seq, "the checkpoint's signature is invalid"))
                    return report
            report.checkpoints += 1
    return report


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditRow)).scalar_one())
