"""Access control costs: what the policy and the audit append add to a read, and how fast the
whole audit chain verifies (1,000,000 records)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from rich.progress import Progress
from sqlalchemy import Table, create_engine, insert, select, text, update

from benchmarks.common import Row, percentile
from qalxan.access import audit, chain, policy
from qalxan.access.identity import principal_of
from qalxan.access.tables import AuditHeadRow, AuditRow, ShareRow, UserRow
from qalxan.bootstrap import bootstrap, trail
from qalxan.bulletins.tables import BulletinRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory, transaction, wal_checkpoints

READS = 3000
RECORDS = 200
CHAIN = 1_000_000
BATCH = 20_000


def _setup(
    data_dir: Path, database_url: str | None = None
) -> tuple[Settings, audit.Context, list[str]]:
    settings = Settings(data_dir=data_dir, database_url=database_url, doctrine_refresh_seconds=0)
    engine = bootstrap(settings)
    user = UserRow(
        id="u" * 24,
        username="analyst",
        display_name="Analyst",
        agency_id="agency-sbs",
        roles=["analyst"],
        clearance=3,
        created_by="bench",
    )
    ids = [f"{i:024x}" for i in range(RECORDS)]
    with transaction(engine) as session:
        session.add(user)
        for i, record_id in enumerate(ids):
            owner = "agency-sbs" if i % 2 else "agency-mia"
            session.add(
                BulletinRow(
                    id=record_id,
                    owner_agency=owner,
                    classification=i % 4,
                    tlp=("AMBER", "GREEN", None, "RED")[i % 4],
                    title=f"bulletin {i}",
                    body="text " * 50,
                    author_id=user.id,
                )
            )
            if owner == "agency-mia" and i % 4 == 0:
                session.add(
                    ShareRow(
                        record_type="bulletin",
                        record_id=record_id,
                        agency_id="agency-sbs",
                        reason="bench",
                        granted_by="bench",
                    )
                )
    ctx = audit.Context(principal_of(user, "session"), trail(settings, engine), "10.0.0.1", "b")
    return settings, ctx, ids


def _timed(ctx: audit.Context, ids: list[str]) -> tuple[list[float], list[float]]:
    """Per read: the bare read, and the same read through the policy with its audit record."""
    engine = ctx.trail.engine
    plain: list[float] = []
    guarded: list[float] = []
    for n in range(READS):
        record_id = ids[n % len(ids)]
        start = time.perf_counter()
        with session_factory(engine)() as session, session.begin():
            session.execute(select(BulletinRow).where(BulletinRow.id == record_id)).first()
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        try:
            with audit.recorded(ctx, "bulletin.read", "bulletin", record_id) as rec:
                row = policy.load(rec.session, ctx.principal, BulletinRow, record_id)
                rec.entry.record_agency = row.owner_agency
        except policy.Hidden:
            pass  # a refused read is audited too
        guarded.append(time.perf_counter() - start)
    return plain, guarded


def overhead() -> list[Row]:
    rows = _overhead(None, "SQLite")
    postgres = os.environ.get("QALXAN_BENCH_DATABASE_URL")
    if postgres:
        with fresh_schema(postgres) as url:
            rows += _overhead(url, "PostgreSQL")
    return rows


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A schema of its own on the PostgreSQL server at ``url``, dropped afterwards."""
    schema = f"bench_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _overhead(database_url: str | None, name: str) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        _, ctx, ids = _setup(Path(tmp), database_url)
        with session_factory(ctx.trail.engine)() as session:
            allowed = set(
                session.scalars(
                    select(BulletinRow.id).where(policy.visible(ctx.principal, BulletinRow))
                )
            )
        # As in the server, which checkpoints the SQLite log from a background thread.
        with wal_checkpoints(ctx.trail.engine):
            plain, guarded = _timed(ctx, [i for i in ids if i in allowed])
            refused_plain, refused = _timed(ctx, [i for i in ids if i not in allowed])
    p50 = (percentile(guarded, 50) - percentile(plain, 50)) * 1000
    p99 = (percentile(guarded, 99) - percentile(plain, 99)) * 1000
    refused99 = (percentile(refused, 99) - percentile(refused_plain, 99)) * 1000
    return [
        Row(
            "policy check + audit append, added per read, p50",
            f"{p50:.2f} ms",
            "",
            None,
            f"{READS} permitted reads, {name}; base: the same read without them",
        ),
        Row(
            "policy check + audit append, added per read, p99",
            f"{p99:.2f} ms",
            "< 2 ms",
            p99 < 2.0,
            f"base p99 {percentile(plain, 99) * 1000:.2f} ms, "
            f"guarded p99 {percentile(guarded, 99) * 1000:.2f} ms",
        ),
        Row(
            "refused read (404 + audited attempt), added, p99",
            f"{refused99:.2f} ms",
            "",
            None,
            "rolled back, then the attempt is recorded in a transaction of its own",
        ),
    ]


def verify_million() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), doctrine_refresh_seconds=0)
        engine = bootstrap(settings)
        start_at = datetime(2026, 1, 1, tzinfo=UTC)
        prev = audit.GENESIS
        with Progress(transient=True) as progress, engine.begin() as conn:
            task = progress.add_task("writing the chain", total=CHAIN)
            for first in range(1, CHAIN + 1, BATCH):
                batch = []
                for seq in range(first, min(first + BATCH, CHAIN + 1)):
                    row = {
                        "seq": seq,
                        "at": start_at + timedelta(seconds=seq),
                        "actor_id": f"{seq % 500:024x}",
                        "actor_name": f"user{seq % 500}",
                        "actor_agency": "agency-mia",
                        "via": "session",
                        "action": "bulletin.read",
                        "record_type": "bulletin",
                        "record_id": f"{seq % 9000:024x}",
                        "record_agency": "agency-sbs",
                        "outcome": "success",
                        "ip": "10.1.2.3",
                        "user_agent": "Mozilla/5.0",
                        "detail": {"q": "x"},
                        "prev_hash": prev,
                    }
                    row["hash"] = prev = audit.row_hash(prev, row)
                    batch.append(row)
                conn.execute(insert(cast(Table, AuditRow.__table__)), batch)
                progress.advance(task, len(batch))
            conn.execute(update(AuditHeadRow).values(seq=CHAIN, hash=prev))
        start = time.perf_counter()
        report = chain.verify(engine)
        seconds = time.perf_counter() - start
    ok = report.intact and report.records == CHAIN and seconds < 30
    return [
        Row(
            "audit verify, 1,000,000 records",
            f"{seconds:.1f} s",
            "< 30 s",
            ok,
            f"SQLite file, {CHAIN / seconds:,.0f} records/s, intact={report.intact}",
        )
    ]


def run() -> list[Row]:
    return overhead() + verify_million()
