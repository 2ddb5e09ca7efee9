"""The relational schema. Alembic migrations in ``migrations/`` create exactly this.

Tables of append-only records (doctrine versions and activations) are never updated in place:
a new row supersedes the old one, with who and when.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONDocument,
        list[str]: JSONDocument,
        list[Any]: JSONDocument,
    }


class DoctrineVersionRow(Base):
    """One loaded version of the doctrine, kept for ever; ``document`` is its canonical JSON."""

    __tablename__ = "doctrine_versions"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    manifest_id: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]]
    origin: Mapped[str] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DoctrineItemRow(Base):
    """An item of a version, for SQL queries across versions (the document stays authoritative)."""

    __tablename__ = "doctrine_items"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("doctrine_versions.id", ondelete="RESTRICT"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(Text)
    name_az: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]

    __table_args__ = (Index("ix_doctrine_items_kind", "version_id", "kind"),)


class DoctrineRelationRow(Base):
    """A relation of a version."""

    __tablename__ = "doctrine_relations"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("doctrine_versions.id", ondelete="RESTRICT"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(240), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80))
    target_id: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]]

    __table_args__ = (
        Index("ix_doctrine_relations_source", "version_id", "source_id"),
        Index("ix_doctrine_relations_target", "version_id", "target_id"),
    )


class DoctrineActivationRow(Base):
    """Which version is in force: the newest activation wins."""

    __tablename__ = "doctrine_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("doctrine_versions.id", ondelete="RESTRICT"))
    activated_by: Mapped[str] = mapped_column(String(200))
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
