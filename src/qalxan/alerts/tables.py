"""The warning desk's tables: alerts with their workflow history, the channels that carry
issued alerts out, and the external feeds the platform listens to.

An alert is a protected record (record type ``alert``). Once issued, its CAP XML is never
changed: an update or a cancellation is a new alert that references it (CAP ``references``),
and the old one is marked superseded.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from qalxan.access.tables import Protected
from qalxan.store.tables import Base, utcnow


class AlertRow(Protected, Base):
    """One CAP alert: authored here (``origin`` ``authored``) or received from a feed."""

    __tablename__ = "alerts"
    record_type: ClassVar[str] = "alert"

    identifier: Mapped[str] = mapped_column(String(200))
    sender: Mapped[str] = mapped_column(String(200))
    # The workflow state: draft, submitted, approved, issued, superseded, cancelled, rejected,
    # received.
    state: Mapped[str] = mapped_column(String(16), index=True)
    cap_status: Mapped[str] = mapped_column(String(16))
    msg_type: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16))
    # The CAP document: the current draft, or exactly what was issued or received.
    xml: Mapped[str] = mapped_column(Text)
    # For lists and the feed, taken from the document (its first info block).
    event: Mapped[str] = mapped_column(String(200))
    headline: Mapped[str | None] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    certainty: Mapped[str] = mapped_column(String(16))
    area_desc: Mapped[str | None] = mapped_column(Text)
    min_lat: Mapped[float | None] = mapped_column(Float)
    min_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    sent: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # The alert this one updates or cancels (an alert of this platform), if any.
    supersedes: Mapped[str | None] = mapped_column(ForeignKey("alerts.id"))
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(80))
    # The incident a received hazard alert became, if it did.
    incident_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("sender", "identifier", name="uq_alerts_sender_identifier"),
        Index("ix_alerts_state_expires", "state", "expires"),
    )


class AlertStepRow(Base):
    """A step of an alert's workflow, append-only: who did what, when, and why."""

    __tablename__ = "alert_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class AlertChannelRow(Base):
    """Where issued alerts go: an SMS gateway, an e-mail list or a partner system (through the
    outbox), for the languages and the least severity it wants."""

    __tablename__ = "alert_channels"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    adapter: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(500))
    languages: Mapped[list[str]] = mapped_column(default=list)
    min_severity: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_agency: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertFeedRow(Base):
    """An external feed the platform reads: CAP over Atom or RSS, or an earthquake catalogue."""

    __tablename__ = "alert_feeds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=15)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(80))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_agency: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
