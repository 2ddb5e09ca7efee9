"""Tables of identity, sharing, the audit trail and oversight.

``Protected`` is the mixin of every record the policy guards: an owning agency, a
classification rank and an optional TLP marking. Sharing and inquiry grants are generic over
record types, so that every capability's records are shared and granted the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from qalxan.store.tables import Base, utcnow


class Protected:
    """Columns of a record under the policy. ``record_type`` names it in roles and the audit."""

    record_type: ClassVar[str]

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_agency: Mapped[str] = mapped_column(String(80), index=True)
    owner_unit: Mapped[str | None] = mapped_column(String(32))
    classification: Mapped[int] = mapped_column(Integer)
    tlp: Mapped[str | None] = mapped_column(String(16))


class UnitRow(Base):
    """A unit inside an agency (a border detachment, a regional police department)."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_az: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    functions: Mapped[list[str]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("agency_id", "name", name="uq_units_agency_name"),)


class UserRow(Base):
    """An account. ``provider`` is ``local`` (argon2 password) or an external identity provider."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    agency_id: Mapped[str] = mapped_column(String(80), index=True)
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    roles: Mapped[list[str]] = mapped_column(default=list)
    clearance: Mapped[int] = mapped_column(Integer, default=0)
    provider: Mapped[str] = mapped_column(String(40), default="local")
    external_subject: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("provider", "external_subject", name="uq_users_provider_subject"),
    )


class SessionRow(Base):
    """A UI login session; ``id`` is the SHA-256 of the cookie's token, never the token."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    """A bearer key for system-to-system use; only the SHA-256 of its secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailureRow(Base):
    """A failed login, counted per user name and per address for lockout."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)


class ShareRow(Base):
    """A record routed or shared to an agency (``agency_id``) or a named user (``user_id``)."""

    __tablename__ = "record_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(32))
    agency_id: Mapped[str | None] = mapped_column(String(80))
    user_id: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_record_shares_agency", "record_type", "agency_id", "record_id"),
        # Shares to a person only: most shares are to agencies (routing writes several per
        # incident) and would each cost an entry here that no lookup reads.
        Index(
            "ix_record_shares_user",
            "record_type",
            "user_id",
            "record_id",
            postgresql_where=text("user_id IS NOT NULL"),
            sqlite_where=text("user_id IS NOT NULL"),
        ),
    )


class GrantRow(Base):
    """An oversight user's access, for a named inquiry, to one record or to an agency's records."""

    __tablename__ = "inquiry_grants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(32))
    agency_id: Mapped[str | None] = mapped_column(String(80))
    inquiry: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One audit record, hash-chained to the one before it. Never updated or deleted."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_agency: Mapped[str | None] = mapped_column(String(80))
    via: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(80))
    record_agency: Mapped[str | None] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_log_actor", "actor_id", "at"),
        Index("ix_audit_log_agency", "actor_agency", "at"),
        Index("ix_audit_log_record", "record_type", "record_id"),
        Index("ix_audit_log_action", "action", "at"),
    )


class AuditHeadRow(Base):
    """The newest link of the chain; its row lock serialises appends across processes."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(Base):
    """A signed statement that the chain up to ``seq`` ended in ``hash``."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)


class ComplaintRow(Protected, Base):
    """A complaint contesting a screening match, a record, or an officer's conduct."""

    __tablename__ = "complaints"
    record_type: ClassVar[str] = "complaint"

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    complainant: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(80))
    officer_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    outcome: Mapped[str | None] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledge_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    respond_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class ComplaintEventRow(Base):
    """A step in a complaint's handling (append-only)."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
