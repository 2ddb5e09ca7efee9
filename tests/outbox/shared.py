"""Helpers of the outbox tests: a message, storing it, reading it back, and a fake adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from sqlalchemy import Engine, func, select

from qalxan.outbox.envelope import Envelope
from qalxan.outbox.service import Message, enqueue
from qalxan.outbox.tables import OutboxRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory, transaction

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECRET = "s3cr3t-" * 6
HOOK = "https://soc.operator.example.org/qalxan"
# What the loopback webhook receiver (conftest) was sent: headers and body of each request.
Received = list[tuple[dict[str, str], bytes]]


def message(**changes: Any) -> Message:
    base = Message(
        channel="webhook",
        address=HOOK,
        body='{"indicator": "198.51.100.7"}',
        content_type="application/json",
        source_type="cti",
        source_id="notice-1",
        tlp="amber",
    )
    return replace(base, **changes)


def store(engine: Engine, *messages: Message, now: datetime = T0) -> list[OutboxRow]:
    with transaction(engine) as session:
        return [enqueue(session, m, now) for m in messages]


def read(engine: Engine, message_id: str) -> OutboxRow:
    with session_factory(engine)() as session:
        row = session.get(OutboxRow, message_id)
        assert row is not None
        return row


def count(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return int(session.execute(select(func.count()).select_from(OutboxRow)).scalar_one())


def aware(at: datetime | None) -> datetime | None:
    """A stored time as an aware UTC one (SQLite gives naive UTC)."""
    if at is None:
        return None
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def sending(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update={"outbox_transport": "send", **changes})


def mock_client(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(answer))


class Recorder:
    """An adapter that records what it is given, failing first with ``failures`` in turn."""

    holds: ClassVar[bool] = False

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.sent: list[Envelope] = []

    def send(self, message: Envelope) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
