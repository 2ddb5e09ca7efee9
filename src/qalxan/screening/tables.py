"""Tables of screening: the lawful lists, their versions and entries, and what was screened.

Lists, versions and entries are reference data (what the issuing authorities publish); a list
entry is never deleted, only marked removed in the version that dropped it, so that a hit can
always be traced to the entry as it stood. Subjects and hits are protected records of the
record type ``screening``: owned by the screening agency, classified, shared and audited like
every other record. Versions, entry changes and decisions are histories: a new row, never an
edit (the migration makes the database refuse updates and deletes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
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

ENTITY_ID = 200


class ListRow(Base):
    """A list persons may lawfully be screened against, declared before anything is imported.
    ``owner_agency`` is empty for the lists the platform bundles (international lists)."""

    __tablename__ = "screening_lists"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    authority: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(Text)
    uses: Mapped[list[str]]
    url: Mapped[str | None] = mapped_column(String(500))
    owner_agency: Mapped[str | None] = mapped_column(String(80))
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ListVersionRow(Base):
    """One imported version of a list: its source file and what changed (append-only)."""

    __tablename__ = "screening_list_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_code: Mapped[str] = mapped_column(ForeignKey("screening_lists.code"))
    number: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200))
    source_name: Mapped[str] = mapped_column(String(255))
    source_sha256: Mapped[str] = mapped_column(String(64))
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("list_code", "number", name="uq_screening_list_versions_number"),
    )


class EntryRow(Base):
    """A listed party as of its list's newest version; removed entries are kept, marked.
    Version columns hold the list's version numbers."""

    __tablename__ = "screening_entries"

    id: Mapped[str] = mapped_column(String(ENTITY_ID), primary_key=True)
    list_code: Mapped[str] = mapped_column(ForeignKey("screening_lists.code"))
    source_id: Mapped[str] = mapped_column(String(200))
    schema: Mapped[str] = mapped_column(String(32))
    caption: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    first_version: Mapped[int] = mapped_column(Integer)
    last_changed_version: Mapped[int] = mapped_column(Integer)
    removed_in_version: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_screening_entries_list", "list_code", "removed_in_version"),)


class EntryChangeRow(Base):
    """What one version did to one entry: ``added``, ``removed`` or ``changed`` (append-only)."""

    __tablename__ = "screening_entry_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("screening_list_versions.id"), index=True)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    old_digest: Mapped[str | None] = mapped_column(String(64))
    new_digest: Mapped[str | None] = mapped_column(String(64))


class SubjectRow(Protected, Base):
    """A screened party, once per agency: ``subject_key`` is the hash of the canonical query,
    so the same person screened twice is the same subject. ``query`` is the latest query."""

    __tablename__ = "screening_subjects"
    record_type: ClassVar[str] = "screening"

    subject_key: Mapped[str] = mapped_column(String(64))
    schema: Mapped[str] = mapped_column(String(32))
    caption: Mapped[str] = mapped_column(String(300))
    query: Mapped[dict[str, Any]]
    last_use: Mapped[str] = mapped_column(String(16))
    # The newest list version id the subject was last screened against (delta screening).
    last_version_id: Mapped[int | None] = mapped_column(Integer)
    first_screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("owner_agency", "subject_key", name="uq_screening_subjects_key"),
        Index("ix_screening_subjects_version", "last_version_id"),
    )


class RunRow(Base):
    """One screening of a subject: for which use, at which threshold, against which lists."""

    __tablename__ = "screening_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("screening_subjects.id"), index=True)
    agency: Mapped[str] = mapped_column(String(80))
    use: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[float] = mapped_column(Float)
    content_version: Mapped[str] = mapped_column(Text)
    version_id: Mapped[int | None] = mapped_column(Integer)
    matches: Mapped[int] = mapped_column(Integer)
    screened_by: Mapped[str] = mapped_column(String(200))
    screened_by_id: Mapped[str | None] = mapped_column(String(32))
    screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HitRow(Protected, Base):
    """A match at or above the threshold: a lead for an officer's decision. ``status`` is
    ``open``, ``suppressed`` (a standing false-match decision, ``decision_id``) or the newest
    decision's disposition."""

    __tablename__ = "screening_hits"
    record_type: ClassVar[str] = "screening"

    run_id: Mapped[str] = mapped_column(ForeignKey("screening_runs.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("screening_subjects.id"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("screening_entries.id"))
    list_code: Mapped[str] = mapped_column(String(40))
    entry_caption: Mapped[str] = mapped_column(Text)
    entry_digest: Mapped[str] = mapped_column(String(64))
    matched_name: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    features: Mapped[dict[str, Any]]
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    decision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        # The review queue: an agency's open hits, newest first (keyset pages).
        Index("ix_screening_hits_queue", "owner_agency", "status", "created_at", "id"),
        Index("ix_screening_hits_subject", "subject_id", "entity_id"),
    )


class DecisionRow(Base):
    """An officer's decision on a hit (append-only: a later decision supersedes, never edits).
    ``entry_digest`` is the entry as decided: a false match stands while the entry keeps it."""

    __tablename__ = "screening_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hit_id: Mapped[str] = mapped_column(ForeignKey("screening_hits.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("screening_subjects.id"))
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID))
    entry_digest: Mapped[str] = mapped_column(String(64))
    disposition: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    agency: Mapped[str] = mapped_column(String(80))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_by_id: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_screening_decisions_pair", "subject_id", "entity_id", "id"),)
