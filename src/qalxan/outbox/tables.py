"""The outbox table: messages waiting to leave the platform, and what became of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qalxan.store.tables import Base, utcnow

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)


class OutboxRow(Base):
    """One message to send to one address through one channel.

    Not a ``Protected`` record: a row holds a copy of what its caller was already authorised to
    send out, and the outbox refuses nothing itself. Whether something may leave, at which
    classification and TLP, to whom, is the caller's decision, taken before it enqueues;
    ``classification`` (a rank of the marking scheme) and ``tlp`` record that decision for
    oversight and are never enforced here.

    ``status`` is ``pending`` (due from ``not_before``), ``sent`` (never sent again) or
    ``failed`` (given up after the last attempt; ``qalxan outbox retry`` revives it).
    ``dedup_key`` makes enqueueing idempotent: the same key is stored once.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(200))
    headers: Mapped[dict[str, Any]]
    meta: Mapped[dict[str, Any]]
    # The webhook's own secret when it has one (else QALXAN_WEBHOOK_SECRET signs).
    signing_secret: Mapped[str | None] = mapped_column(String(200))
    classification: Mapped[int | None] = mapped_column(Integer)
    tlp: Mapped[str | None] = mapped_column(String(16))
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "not_before"),
        Index("ix_outbox_messages_source", "source_type", "source_id"),
    )
