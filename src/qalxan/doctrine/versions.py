"""Doctrine versions in the database: load, activate, list, and read back.

Loading is idempotent and content-keyed: a version's id is the head of its content digest, so
loading the same content twice (or again after a crash, since one transaction writes it all)
stores it once. A version label may not be reused for other content. Old versions are kept; the
version in force is the one activated last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from time import monotonic

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qalxan.doctrine.loader import load_document
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.search import SearchIndex
from qalxan.errors import Conflict, NotFound
from qalxan.store.tables import (
    DoctrineActivationRow,
    DoctrineItemRow,
    DoctrineRelationRow,
    DoctrineVersionRow,
)


@dataclass(frozen=True)
class VersionInfo:
    id: str
    version: str
    title: str
    digest: str
    origin: str
    loaded_by: str
    loaded_at: datetime
    active: bool


def store_version(
    session: Session, doctrine: Doctrine, origin: str, actor: str, *, relabel: bool = False
) -> tuple[str, bool]:
    """Store ``doctrine`` unless its content is stored already; (version id, newly stored).

    Content under a label that is taken is refused, or with ``relabel`` stored as
    ``<label>+<digest head>`` (used for the bundled version, whose content moves with releases).
    """
    digest = doctrine.digest
    existing = session.scalar(select(DoctrineVersionRow).where(DoctrineVersionRow.digest == digest))
    if existing is not None:
        return existing.id, False
    clash = session.scalar(
        select(DoctrineVersionRow.id).where(DoctrineVersionRow.version == doctrine.version)
    )
    label = doctrine.version
    if clash is not None and relabel:
        label = f"{doctrine.version}+{digest[:8]}"
    elif clash is not None:
        raise Conflict(
            f"version {doctrine.version!r} is already loaded with other content; "
            "give the new content a new version in its manifest",
            field="manifest.version",
        )
    version_id = doctrine.version_id
    document = doctrine.to_document()
    session.add(
        DoctrineVersionRow(
            id=version_id,
            digest=digest,
            version=label,
            manifest_id=doctrine.manifest.id,
            title=doctrine.manifest.title.en,
            document=document,
            origin=origin,
            loaded_by=actor,
        )
    )
    session.flush()
    session.add_all(
        DoctrineItemRow(
            version_id=version_id,
            item_id=item.id,
            kind=item.kind,
            code=item.code,
            name_en=item.name.en,
            name_az=item.name.az,
            digest=doctrine.item_digest(item),
            data=item.model_dump(mode="json", exclude_none=True),
        )
        for item in doctrine.items.values()
    )
    session.add_all(
        DoctrineRelationRow(
            version_id=version_id,
            key=rel.key,
            type=rel.type,
            source_id=rel.source,
            target_id=rel.target,
            data=rel.model_dump(mode="json", exclude_none=True),
        )
        for rel in doctrine.relations
    )
    try:
        session.flush()
    except IntegrityError as exc:  # another process stored the same content at the same time
        raise Conflict(f"version {doctrine.version!r} was stored concurrently; retry") from exc
    return version_id, True


def install(session: Session, doctrine: Doctrine, origin: str, actor: str) -> str:
    """Store a version shipped with the platform and put it in force unless an operator chose
    another: the bundled version follows releases, a version loaded by hand stays in force."""
    version_id, _ = store_version(session, doctrine, origin, actor, relabel=True)
    active = active_version_id(session)
    if active is None:
        activate(session, version_id, actor)
    elif active != version_id:
        current = session.get(DoctrineVersionRow, active)
        if current is not None and current.origin == origin:
            activate(session, version_id, actor)
    return version_id


def activate(session: Session, version_id: str, actor: str) -> None:
    """Put a stored version in force (an append-only record of who did it and when)."""
    session.add(DoctrineActivationRow(version_id=version_id, activated_by=actor))
    session.flush()


def active_version_id(session: Session) -> str | None:
    return session.scalar(
        select(DoctrineActivationRow.version_id).order_by(DoctrineActivationRow.id.desc()).limit(1)
    )


def list_versions(session: Session) -> list[VersionInfo]:
    active = active_version_id(session)
    rows = session.scalars(select(DoctrineVersionRow).order_by(DoctrineVersionRow.loaded_at)).all()
    return [
        VersionInfo(
            id=row.id,
            version=row.version,
            title=row.title,
            digest=row.digest,
            origin=row.origin,
            loaded_by=row.loaded_by,
            loaded_at=row.loaded_at,
            active=row.id == active,
        )
        for row in rows
    ]


def resolve_version(session: Session, ref: str) -> str:
    """The id of the version named by its label (``2007.1``), its id, or a digest prefix."""
    row_id = session.scalar(select(DoctrineVersionRow.id).where(DoctrineVersionRow.version == ref))
    if row_id is None and len(ref) >= 6:
        matches = session.scalars(
            select(DoctrineVersionRow.id).where(DoctrineVersionRow.digest.startswith(ref))
        ).all()
        if len(matches) == 1:
            row_id = matches[0]
    if row_id is None:
        raise NotFound(f"no doctrine version is named {ref!r}", field="version")
    return row_id


class DoctrineCache:
    """Parsed versions by id, shared by the requests of one process.

    Each process asks the database which version is in force, at most every
    ``refresh_seconds``, so that workers sharing one database all switch soon after a new
    version is activated without a query on every request.
    """

    def __init__(self, refresh_seconds: float = 0.0) -> None:
        self._parsed: dict[str, Doctrine] = {}
        self._indexes: dict[str, SearchIndex] = {}
        self._lock = Lock()
        self._refresh = refresh_seconds
        self._current: tuple[float, Doctrine] | None = None

    def get(self, session: Session, version_id: str) -> Doctrine:
        doctrine = self._parsed.get(version_id)
        if doctrine is None:
            row = session.get(DoctrineVersionRow, version_id)
            if row is None:
                raise NotFound(f"no doctrine version has the id {version_id!r}", field="version")
            doctrine = load_document(row.document, f"version {row.version}")
            with self._lock:
                self._parsed[version_id] = doctrine
        return doctrine

    def search_index(self, doctrine: Doctrine) -> SearchIndex:
        """The search index of a version, built on first use."""
        index = self._indexes.get(doctrine.digest)
        if index is None:
            index = SearchIndex(doctrine)
            with self._lock:
                self._indexes[doctrine.digest] = index
        return index

    def fresh(self) -> Doctrine | None:
        """The version in force if it was checked within ``refresh_seconds``, else None."""
        cached = self._current
        if cached is not None and monotonic() - cached[0] < self._refresh:
            return cached[1]
        return None

    def current(self, engine: Engine) -> Doctrine:
        """The version in force, as checked in the database within ``refresh_seconds``."""
        fresh = self.fresh()
        if fresh is not None:
            return fresh
        with Session(engine) as session:
            doctrine = self.active(session)
        self._current = (monotonic(), doctrine)
        return doctrine

    def active(self, session: Session) -> Doctrine:
        version_id = active_version_id(session)
        if version_id is None:
            raise NotFound(
                "no doctrine version is loaded; run `qalxan doctrine load`", field="version"
            )
        return self.get(session, version_id)
