"""Tables of intake: reports as received, the incidents they join, and what happened to both.

A report is never changed after it is stored (corrections are new rows: a typing label, a move
to another incident). An incident is the platform's current understanding of one event; its
history is in ``incident_events``, append-only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

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


class Placed:
    """Where something happened, as resolved by the gazetteer."""

    place_text: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    country: Mapped[str | None] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(String(8))
    location_precision: Mapped[str | None] = mapped_column(String(16))


class ReportRow(Protected, Placed, Base):
    """A situation report as an agency sent it (``owner_agency`` is the reporting agency)."""

    __tablename__ = "reports"
    record_type: ClassVar[str] = "report"

    origin: Mapped[str] = mapped_column(String(40))
    origin_ref: Mapped[str] = mapped_column(String(120))
    reporter_id: Mapped[str | None] = mapped_column(String(32))
    observed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event_type: Mapped[str] = mapped_column(String(64))
    # How the type was set: given by the reporter, or by the rules or the trained model.
    typed_by: Mapped[str] = mapped_column(String(16))
    typing: Mapped[dict[str, Any]]
    title: Mapped[str | None] = mapped_column(String(300))
    narrative: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    location: Mapped[dict[str, Any]]
    source: Mapped[str | None] = mapped_column(String(300))
    source_reliability: Mapped[str | None] = mapped_column(String(1))
    info_credibility: Mapped[int | None] = mapped_column(Integer)
    killed: Mapped[int] = mapped_column(Integer, default=0)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    damage: Mapped[str | None] = mapped_column(Text)
    objects: Mapped[list[Any]]

    __table_args__ = (
        UniqueConstraint("origin", "origin_ref", name="uq_reports_origin_ref"),
        Index("ix_reports_observed", "observed_at"),
    )


class IncidentRow(Protected, Placed, Base):
    """One event as the platform understands it, joined from one or more reports."""

    __tablename__ = "incidents"
    record_type: ClassVar[str] = "incident"

    title: Mapped[str] = mapped_column(String(300))
    event_type: Mapped[str] = mapped_column(String(64))
    public_event: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    first_observed: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_observed: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    severity: Mapped[int] = mapped_column(Integer)
    severity_reasons: Mapped[list[Any]]
    killed: Mapped[int] = mapped_column(Integer, default=0)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=1)
    # Border zone, offshore, Nakhchivan, nearest pipeline: what severity and routing used.
    place_facts: Mapped[dict[str, Any]]
    # Words of the narratives, for comparing a new report with open incidents.
    fingerprint: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        # Lists are newest first with the id as tie-break (keyset pages): each filter has an
        # index in that order, so a page reads its rows and no more.
        Index("ix_incidents_seen", "last_observed", "id"),
        Index("ix_incidents_type_seen", "event_type", "last_observed", "id"),
        Index("ix_incidents_admin1_seen", "admin1", "last_observed", "id"),
        Index("ix_incidents_status_seen", "status", "last_observed", "id"),
    )


class MembershipRow(Base):
    """Which incident a report belongs to now, and why; merges and splits move it."""

    __tablename__ = "incident_reports"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    reason: Mapped[dict[str, Any]]
    joined_by: Mapped[str] = mapped_column(String(200))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IncidentEventRow(Base):
    """What happened to an incident (created, report joined, merged, split, routed, retyped):
    append-only, the incident's history."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RoutingRow(Base):
    """An agency an incident was routed to, why, and whether it acknowledged in time."""

    __tablename__ = "incident_routing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"))
    agency_id: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]]
    routed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ack_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("incident_id", "agency_id", name="uq_incident_routing_agency"),
        Index("ix_incident_routing_agency", "agency_id", "acknowledged_at"),
        Index("ix_incident_routing_due", "acknowledged_at", "ack_due"),
    )


class LabelRow(Base):
    """An analyst's confirmation or correction of a report's type: what training learns from.
    Append-only; the newest label of a report counts."""

    __tablename__ = "report_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    previous: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class AttachmentRow(Base):
    """A file attached to a record; the bytes are stored once per content (``sha256``)."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_attachments_record", "record_type", "record_id"),)


class FeedRow(Base):
    """Changes that open dashboards receive live (after the change commits)."""

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(32))
    summary: Mapped[dict[str, Any]]
