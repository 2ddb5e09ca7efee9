"""The CERT's tables: STIX 2.1 object versions, TAXII collections with their rights and
members, TAXII status resources, incident links and operators' subscriptions.

Every version of a STIX object is its own row (same ``stix_id``, another ``version``) and is
never changed: a newer ``modified`` supersedes, a revocation is a newer version with
``revoked: true``. ``body`` keeps the object's JSON exactly as it arrived, so that what goes out
over TAXII or in an export is what came in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
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


class CtiObjectRow(Protected, Base):
    """One version of a STIX object. ``version`` is the exact ``modified`` text (``created`` for
    objects without ``modified``; empty for cyber-observables, which have neither)."""

    __tablename__ = "cti_objects"
    record_type: ClassVar[str] = "cti"

    stix_id: Mapped[str] = mapped_column(String(128), index=True)
    stix_type: Mapped[str] = mapped_column(String(64), index=True)
    spec_version: Mapped[str] = mapped_column(String(8))
    version: Mapped[str] = mapped_column(String(40))
    # For ordering versions; the text stays authoritative (STIX allows more precision).
    version_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    latest: Mapped[bool] = mapped_column(Boolean, default=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # SHA-256 of the canonical JSON: the same id and version with other content is a conflict.
    digest: Mapped[str] = mapped_column(String(64))
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("stix_id", "version", name="uq_cti_objects_version"),
        Index("ix_cti_objects_type_latest", "stix_type", "latest"),
    )


class CtiCollectionRow(Base):
    """A TAXII collection under an API root, owned by the agency that runs it."""

    __tablename__ = "cti_collections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    api_root: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    alias: Mapped[str | None] = mapped_column(String(80))
    owner_agency: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("api_root", "alias", name="uq_cti_collections_alias"),)


class CtiRightRow(Base):
    """Who may read or write a collection: an agency or a partner organisation, by its
    doctrine id. The owning agency always may; nobody else without a row here."""

    __tablename__ = "cti_collection_rights"

    collection_id: Mapped[str] = mapped_column(
        ForeignKey("cti_collections.id", ondelete="CASCADE"), primary_key=True
    )
    grantee: Mapped[str] = mapped_column(String(80), primary_key=True)
    can_read: Mapped[bool] = mapped_column(Boolean, default=False)
    can_write: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CtiEntryRow(Base):
    """An object version in a collection. ``date_added`` is unique within a collection (a batch
    is stamped a microsecond apart) so that ``added_after`` pages never skip or repeat."""

    __tablename__ = "cti_collection_objects"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(ForeignKey("cti_collections.id", ondelete="CASCADE"))
    object_id: Mapped[str] = mapped_column(ForeignKey("cti_objects.id"))
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("collection_id", "object_id", name="uq_cti_collection_objects_member"),
        Index("ix_cti_collection_objects_added", "collection_id", "date_added"),
    )


class CtiStatusRow(Base):
    """A TAXII status resource: what became of the objects of one POST."""

    __tablename__ = "cti_status"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    api_root: Mapped[str] = mapped_column(String(64))
    collection_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    request_timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    total_count: Mapped[int] = mapped_column(Integer)
    success_count: Mapped[int] = mapped_column(Integer)
    failure_count: Mapped[int] = mapped_column(Integer)
    pending_count: Mapped[int] = mapped_column(Integer)
    successes: Mapped[list[Any]]
    failures: Mapped[list[Any]]
    pendings: Mapped[list[Any]]
    agency_id: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(200))


class CtiLinkRow(Base):
    """An incident tied to a STIX object: an indicator it sighted, a technique it used."""

    __tablename__ = "cti_incident_links"

    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stix_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    observable: Mapped[str | None] = mapped_column(String(500))
    sighting_id: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CtiSubscriptionRow(Base):
    """An operator of information infrastructure subscribed to the CERT's notifications for
    its sectors, up to the most restrictive TLP it may receive."""

    __tablename__ = "cti_subscriptions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operator: Mapped[str] = mapped_column(String(200))
    sectors: Mapped[list[str]] = mapped_column(default=list)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(500))
    max_tlp: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_agency: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CtiFeedRow(Base):
    """A partner's TAXII collection pulled on a schedule into a local collection. Credentials
    are never stored: ``secret_env`` names the environment variable that holds them."""

    __tablename__ = "cti_feeds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    api_root_url: Mapped[str] = mapped_column(String(500))
    remote_collection: Mapped[str] = mapped_column(String(80))
    local_collection: Mapped[str] = mapped_column(ForeignKey("cti_collections.id"))
    username: Mapped[str | None] = mapped_column(String(200))
    secret_env: Mapped[str | None] = mapped_column(String(80))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # The partner's X-TAXII-Date-Added-Last of the last page read: the next pull starts there.
    added_after: Mapped[str | None] = mapped_column(String(40))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_agency: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CtiObservableRow(Base):
    """A value an indicator's pattern looks for (``ipv4-addr:value = '198.51.100.7'``), indexed
    so that a report's observables are matched by lookup, not by evaluating every pattern."""

    __tablename__ = "cti_observables"

    object_id: Mapped[str] = mapped_column(
        ForeignKey("cti_objects.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), primary_key=True)
    stix_id: Mapped[str] = mapped_column(String(128))

    __table_args__ = (Index("ix_cti_observables_lookup", "kind", "value"),)
