"""List versions: an import compared with the list's current entries, stored as a new version
with what it added, removed and changed.

Entries are compared by entity id (derived from the list's own reference) and content digest,
so importing the same content again stores nothing and returns the current version. An import
is one transaction with one audit record (``screening_list.import``): a process that dies half
way leaves nothing, and running it again stores everything once. A removed entry is kept and
marked with the version that removed it, so that a past hit can always be traced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select, update
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.sessions import aware
from qalxan.errors import Forbidden, InvalidInput, required_text
from qalxan.screening import lists
from qalxan.screening.model import ListEntry, entry_from_data
from qalxan.screening.tables import (
    ENTITY_ID,
    EntryChangeRow,
    EntryRow,
    ListRow,
    ListVersionRow,
)
from qalxan.store.engine import transaction
from qalxan.store.rows import insert_rows

CHUNK = 1000
STREAM = 1000
EMPTY = "empty"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ListVersion:
    id: int
    list_code: str
    number: int
    imported_at: datetime
    imported_by: str
    source_name: str
    source_sha256: str
    added: int
    removed: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class VersionOutcome:
    """The list's version after an import; ``unchanged`` when the import stored nothing new."""

    version: ListVersion
    unchanged: bool


@dataclass(frozen=True)
class Change:
    version: int
    version_id: int
    entity_id: str
    kind: str
    old_digest: str | None
    new_digest: str | None


@dataclass(frozen=True)
class StoredEntry:
    entry: ListEntry
    digest: str
    first_version: int
    last_changed_version: int
    removed_in_version: int | None


def apply(
    ctx: audit.Context,
    list_code: str,
    entries: Sequence[ListEntry],
    *,
    source_name: str,
    source_sha256: str,
) -> VersionOutcome:
    """Store ``entries`` (the whole list as the source file holds it) as the list's next
    version; needs ``screening:create``, and for an agency's own list, that agency."""
    record_type = lists.RECORD_TYPE
    with audit.recorded(ctx, f"{record_type}.import", record_type, list_code) as rec:
        session = rec.session
        policy.require(ctx.principal, "screening", "create")
        name = required_text(source_name, "source_name", 255)
        if not _SHA256.fullmatch(source_sha256):
            raise InvalidInput("source_sha256: 64 lowercase hexadecimal digits", "source_sha256")
        # Locks the list (PostgreSQL): two imports of one list never race for a number.
        session.execute(select(ListRow.code).where(ListRow.code == list_code).with_for_update())
        listed = lists.declared(session, list_code)
        rec.entry.record_agency = listed.owner_agency
        _check_importer(ctx, listed)
        incoming = _incoming(list_code, entries)
        plan = _Plan(incoming, _stored(session, list_code))
        current = _current(session, list_code)
        if current is not None and not plan.changes:
            rec.entry.detail = {"version": current.number, "new_version": False}
            return VersionOutcome(_version(current), True)
        row = ListVersionRow(
            list_code=list_code,
            number=(current.number if current else 0) + 1,
            imported_by=ctx.principal.username[:200],
            source_name=name,
            source_sha256=source_sha256,
            added=plan.counts["added"],
            removed=plan.counts["removed"],
            changed=plan.counts["changed"],
            unchanged=plan.counts["unchanged"],
        )
        session.add(row)
        session.flush()
        plan.write(session, row)
        rec.entry.detail = {
            "version": row.number,
            "new_version": True,
            "source_name": name,
            "source_sha256": source_sha256,
            **plan.counts,
        }
    return VersionOutcome(_version(row), False)


def _check_importer(ctx: audit.Context, listed: ListRow) -> None:
    principal = ctx.principal
    owner = listed.owner_agency
    if owner is None or principal.scope("screening", "create") == "any":
        return
    if owner != principal.agency_id:
        raise Forbidden(f"only the agency that declared the list {listed.code!r} imports into it")


@dataclass(frozen=True)
class _Incoming:
    entry: ListEntry
    data: dict[str, Any]
    digest: str


def _incoming(list_code: str, entries: Sequence[ListEntry]) -> dict[str, _Incoming]:
    if not entries:
        raise InvalidInput(
            "entries: the source holds no entries (an empty list would remove every entry)",
            "entries",
        )
    found: dict[str, _Incoming] = {}
    for entry in entries:
        if entry.list_code != list_code:
            raise InvalidInput(
                f"entries: {entry.id} ({entry.where}) is of the list {entry.list_code!r}, "
                f"not {list_code!r}",
                "entries",
            )
        if len(entry.id) > ENTITY_ID or len(entry.source_id) > ENTITY_ID:
            raise InvalidInput(
                f"entries: the reference of {entry.where or entry.id} is over {ENTITY_ID} "
                "characters",
                "entries",
            )
        if entry.id in found:
            first = found[entry.id].entry.where
            raise InvalidInput(
                f"entries: {entry.id} appears twice ({first} and {entry.where})", "entries"
            )
        found[entry.id] = _Incoming(entry, entry.data(), entry.digest())
    return found


def _stored(session: Session, list_code: str) -> dict[str, tuple[str, int | None]]:
    rows = session.execute(
        select(EntryRow.id, EntryRow.digest, EntryRow.removed_in_version).where(
            EntryRow.list_code == list_code
        )
    )
    return {r.id: (r.digest, r.removed_in_version) for r in rows}


class _Plan:
    """What a version does to each entry, decided before anything is written."""

    def __init__(self, incoming: dict[str, _Incoming], stored: dict[str, tuple[str, int | None]]):
        self.incoming = incoming
        self.new: list[str] = []
        self.readded: list[tuple[str, str]] = []  # back on the list: (id, digest when removed)
        self.changed: list[tuple[str, str]] = []  # (id, old digest)
        self.removed: list[tuple[str, str]] = []
        for entity_id, item in incoming.items():
            old = stored.get(entity_id)
            if old is None:
                self.new.append(entity_id)
            elif old[1] is not None:
                self.readded.append((entity_id, old[0]))
            elif old[0] != item.digest:
                self.changed.append((entity_id, old[0]))
        self.removed = [
            (entity_id, digest)
            for entity_id, (digest, removed) in stored.items()
            if removed is None and entity_id not in incoming
        ]
        touched = len(self.new) + len(self.readded) + len(self.changed)
        self.counts = {
            "added": len(self.new) + len(self.readded),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": len(incoming) - touched,
        }
        self.changes = touched + len(self.removed)

    def write(self, session: Session, version: ListVersionRow) -> None:
        number = version.number
        table: Table = EntryRow.__table__  # type: ignore[assignment]
        versions = {"first_version": number, "last_changed_version": number}
        news = [{**self._content(i), **versions, "removed_in_version": None} for i in self.new]
        for rows in _chunks(news):
            insert_rows(session, table, rows)
        updates = [
            {**self._content(i), "last_changed_version": number, "removed_in_version": None}
            for i, _ in self.readded + self.changed
        ]
        for rows in _chunks(updates):
            session.execute(update(EntryRow), rows)
        for rows in _chunks([{"id": i, "removed_in_version": number} for i, _ in self.removed]):
            session.execute(update(EntryRow), rows)
        changes = [
            *((i, "added", None, self.incoming[i].digest) for i in self.new),
            *((i, "added", old, self.incoming[i].digest) for i, old in self.readded),
            *((i, "changed", old, self.incoming[i].digest) for i, old in self.changed),
            *((i, "removed", old, None) for i, old in self.removed),
        ]
        change_table: Table = EntryChangeRow.__table__  # type: ignore[assignment]
        for chunk in _chunks(
            [
                {
                    "version_id": version.id,
                    "entity_id": i,
                    "kind": k,
                    "old_digest": o,
                    "new_digest": n,
                }
                for i, k, o, n in changes
            ]
        ):
            insert_rows(session, change_table, chunk)

    def _content(self, entity_id: str) -> dict[str, Any]:
        item = self.incoming[entity_id]
        return {
            "id": entity_id,
            "list_code": item.entry.list_code,
            "source_id": item.entry.source_id,
            "schema": item.entry.schema,
            "caption": item.entry.caption,
            "data": item.data,
            "digest": item.digest,
        }


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _current(session: Session, list_code: str) -> ListVersionRow | None:
    return session.scalars(
        select(ListVersionRow)
        .where(ListVersionRow.list_code == list_code)
        .order_by(ListVersionRow.number.desc())
        .limit(1)
    ).first()


def _version(row: ListVersionRow) -> ListVersion:
    return ListVersion(
        row.id,
        row.list_code,
        row.number,
        aware(row.imported_at),
        row.imported_by,
        row.source_name,
        row.source_sha256,
        row.added,
        row.removed,
        row.changed,
        row.unchanged,
    )


def current_entries(engine: Engine, list_codes: Iterable[str] | None = None) -> Iterator[ListEntry]:
    """The entries on the lists now (all lists, or ``list_codes``), streamed: for building the
    in-memory index without holding every row twice."""
    query = select(EntryRow.list_code, EntryRow.source_id, EntryRow.data).where(
        EntryRow.removed_in_version.is_(None)
    )
    if list_codes is not None:
        query = query.where(EntryRow.list_code.in_(list(list_codes)))
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=STREAM).execute(query.order_by(EntryRow.id)):
            yield entry_from_data(row.list_code, row.source_id, row.data)


def changed_since(engine: Engine, list_code: str, version: int) -> list[Change]:
    """What the list's versions after ``version`` (a number) did, oldest first."""
    query = (
        select(EntryChangeRow, ListVersionRow.number)
        .join(ListVersionRow, ListVersionRow.id == EntryChangeRow.version_id)
        .where(ListVersionRow.list_code == list_code, ListVersionRow.number > version)
        .order_by(ListVersionRow.number, EntryChangeRow.id)
    )
    with transaction(engine) as session:
        return [
            Change(number, c.version_id, c.entity_id, c.kind, c.old_digest, c.new_digest)
            for c, number in session.execute(query)
        ]


def history(engine: Engine, list_code: str) -> list[ListVersion]:
    """The list's versions, newest first."""
    with transaction(engine) as session:
        rows = session.scalars(
            select(ListVersionRow)
            .where(ListVersionRow.list_code == list_code)
            .order_by(ListVersionRow.number.desc())
        )
        return [_version(r) for r in rows]


def entry(engine: Engine, entity_id: str) -> StoredEntry | None:
    """One entry as stored, current or removed."""
    with transaction(engine) as session:
        row = session.get(EntryRow, entity_id)
        if row is None:
            return None
        return StoredEntry(
            entry_from_data(row.list_code, row.source_id, row.data),
            row.digest,
            row.first_version,
            row.last_changed_version,
            row.removed_in_version,
        )


def content_state(session: Session) -> tuple[str, int | None]:
    """The content version token (see :func:`content_version`) and the newest version id."""
    rows = session.execute(
        select(ListVersionRow.list_code, func.max(ListVersionRow.id))
        .group_by(ListVersionRow.list_code)
        .order_by(ListVersionRow.list_code)
    ).all()
    token = ";".join(f"{code}:{newest}" for code, newest in rows) or EMPTY
    return token, max((newest for _, newest in rows), default=None)


def newest_in(token: str) -> int | None:
    """The newest version id named by a :func:`content_version` token (None when empty)."""
    if token == EMPTY:
        return None
    try:
        return max(int(part.rpartition(":")[2]) for part in token.split(";"))
    except ValueError:
        raise InvalidInput(
            "content_version: not a token content_version() gave out", "content_version"
        ) from None


def content_version(engine: Engine) -> str:
    """A cheap token (each list's newest version id) that changes whenever any list does, so
    that a running index knows when to reload."""
    with transaction(engine) as session:
        return content_state(session)[0]
