"""Sending the due messages of the outbox, each through its channel's adapter.

**Claim.** A message is claimed in a short transaction of its own: the oldest due pending one of
a sending channel (taken ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that deliverers in
several workers pass over each other's; SQLite's single writer serialises the claims, and
SQLAlchemy renders no locking clause there) has an attempt counted and its ``not_before`` moved
a :data:`LEASE` ahead. That transaction commits before anything is sent: no transaction, and on
SQLite no write lock, is held across the network.

**Send, then record.** The adapter is called outside any transaction, and the outcome recorded
in a second short one: ``sent`` (never handed to an adapter again); or the error, with the next
attempt after an exponential :func:`backoff`; or ``failed`` once the attempts are spent or the
receiver refused the message for good.

**Crash.** A deliverer that dies while sending leaves its message claimed: it is due again when
the lease ends, with that attempt counted, so that a message that kills its deliverer is given
up in the end. A receiver that accepted it just before the crash gets it twice, with the same
message id.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Select, func, select

from qalxan.outbox import adapters as registry
from qalxan.outbox.envelope import Adapter, DeliveryError, Envelope, Rejected, describe
from qalxan.outbox.tables import FAILED, PENDING, SENT, OutboxRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory, write_transaction
from qalxan.store.periodic import periodic

log = logging.getLogger(__name__)

# Longer than any adapter takes (their timeouts are 15 and 30 seconds per operation).
LEASE = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
RETRYING = "retrying"


@dataclass(frozen=True)
class Summary:
    """What one delivery run did: messages sent, to be tried again, given up; and the due
    messages it left pending because their channel holds."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: a minute, doubling, at most 6 hours."""
    return min(BACKOFF_FIRST * (1 << min(max(attempts - 1, 0), 30)), BACKOFF_MAX)


def deliver(
    engine: Engine,
    settings: Settings,
    adapters: Mapping[str, Adapter],
    limit: int = 100,
    now: datetime | None = None,
) -> Summary:
    """Send up to ``limit`` due messages through ``adapters`` (by channel; a channel without
    an adapter is left alone). ``now``: the time to act at (default: the clock, read anew
    for each message)."""
    sending = sorted(name for name, adapter in adapters.items() if not adapter.holds)
    done: Counter[str] = Counter()
    for _ in range(limit):
        at = (now or datetime.now(UTC)).astimezone(UTC)
        envelope = _claim(engine, sending, at)
        if envelope is None:
            break
        adapter = adapters[envelope.channel]
        done[_attempt(engine, adapter, envelope, at, settings.outbox_max_attempts)] += 1
    holding = sorted(name for name, adapter in adapters.items() if adapter.holds)
    held = _due(engine, holding, (now or datetime.now(UTC)).astimezone(UTC))
    return Summary(done[SENT], done[RETRYING], done[FAILED], held)


def run(engine: Engine, settings: Settings, limit: int = 100) -> Summary:
    """:func:`deliver` through the adapters the settings choose."""
    with registry.opened(settings) as chosen:
        return deliver(engine, settings, chosen, limit)


@contextmanager
def background(engine: Engine, settings: Settings, every_seconds: float) -> Iterator[None]:
    """While the block runs, deliver from a background thread every ``every_seconds``
    (nothing runs when the transport holds every message). Refuses unsafe production
    settings before it starts."""
    if every_seconds <= 0 or settings.outbox_transport == "hold":
        yield
        return
    registry.check_settings(settings)
    with periodic(
        "qalxan-outbox",
        every_seconds,
        lambda: run(engine, settings),
        "outbox delivery failed; retrying at the next interval",
    ):
        yield


def _due_query(channels: Sequence[str], now: datetime) -> Select[OutboxRow]:
    return select(OutboxRow).where(
        OutboxRow.status == PENDING,
        OutboxRow.not_before <= now,
        OutboxRow.channel.in_(channels),
    )


def _claim(engine: Engine, channels: Sequence[str], now: datetime) -> Envelope | None:
    if not channels:
        return None
    query = (
        _due_query(channels, now)
        .order_by(OutboxRow.not_before, OutboxRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    with write_transaction(engine) as session:
        row = session.execute(query).scalar_one_or_none()
        if row is None:
            return None
        row.attempts += 1
        row.last_attempt_at = now
        row.not_before = now + LEASE
        return Envelope.of(row)


def _attempt(
    engine: Engine, adapter: Adapter, envelope: Envelope, now: datetime, max_attempts: int
) -> str:
    try:
        adapter.send(envelope)
    except Exception as exc:
        if not isinstance(exc, DeliveryError):
            log.exception("the %s adapter failed on message %s", envelope.channel, envelope.id)
        return _record_failure(engine, envelope, exc, now, max_attempts)
    with write_transaction(engine) as session:
        row = session.get(OutboxRow, envelope.id, with_for_update=True)
        if row is not None:
            row.status = SENT
            row.sent_at = now
    return SENT


def _record_failure(
    engine: Engine, envelope: Envelope, exc: Exception, now: datetime, max_attempts: int
) -> str:
    with write_transaction(engine) as session:
        row = session.get(OutboxRow, envelope.id, with_for_update=True)
        if row is None or row.status != PENDING or row.attempts != envelope.attempt:
            # Sent or claimed again meanwhile (the lease ran out): that outcome stands.
            return RETRYING
        # An adapter's own DeliveryError already says what failed; anything else is named.
        row.last_error = str(exc)[:2000] if type(exc) is DeliveryError else describe(exc)
        if isinstance(exc, Rejected) or row.attempts >= max_attempts:
            row.status = FAILED
            return FAILED
        row.not_before = now + backoff(row.attempts)
        return RETRYING


def _due(engine: Engine, channels: Sequence[str], now: datetime) -> int:
    if not channels:
        return 0
    query = _due_query(channels, now).with_only_columns(func.count())
    with session_factory(engine)() as session:
        return int(session.execute(query).scalar_one())
