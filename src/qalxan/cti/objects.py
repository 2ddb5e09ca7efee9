"""Reading STIX objects: one object, several at once, its versions, and search. Every call is
audited.

Every query carries :func:`qalxan.access.policy.visible`, so a version the caller may not see
is never loaded: each version is marked on its own (a newer version may be marked more
strictly than the one before). "The object" is its newest version; when the caller may not see
that version the object does not exist for them, while the older versions they may see are
still listed by :func:`versions`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.cti.collection_rights import resolve
from qalxan.cti.free_text import contains, in_values
from qalxan.cti.store import CHUNK
from qalxan.cti.tables import CtiEntryRow, CtiObjectRow
from qalxan.errors import InvalidInput

RECORD_TYPE = CtiObjectRow.record_type
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
MAX_TEXT = 200
TYPE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Query:
    """What to look for; every given filter must hold. ``name`` and ``text`` are substrings,
    case-insensitive: ``name`` of the object's name (or value, pattern...), ``text`` of its
    name or any of its string values (:mod:`qalxan.cti.free_text`; not its property names).
    ``collection`` (an id or alias) keeps the versions in that collection, which the caller
    must be able to read. ``revoked`` None lists revoked objects too."""

    types: tuple[str, ...] = ()
    name: str | None = None
    text: str | None = None
    collection: str | None = None
    tlp: tuple[str, ...] = ()
    revoked: bool | None = False
    all_versions: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class Page:
    rows: list[CtiObjectRow]
    more: bool


def body(row: CtiObjectRow) -> dict[str, Any]:
    """The object exactly as it was stored."""
    loaded: dict[str, Any] = json.loads(row.body)
    return loaded


def get(ctx: audit.Context, stix_id: str) -> CtiObjectRow:
    """The newest version of an object, if the caller may read it."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, stix_id) as rec:
        row = latest_in(rec.session, ctx.principal, stix_id)
        rec.entry.record_agency = row.owner_agency
        rec.entry.detail = {"stix_id": stix_id, "version": row.version}
    return row


def version(ctx: audit.Context, stix_id: str, modified: str) -> CtiObjectRow:
    """One version of an object (by its ``modified``, as TAXII names versions)."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, stix_id) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        row = rec.session.scalar(
            select(CtiObjectRow).where(
                CtiObjectRow.stix_id == stix_id,
                CtiObjectRow.version == modified,
                policy.visible(ctx.principal, CtiObjectRow),
            )
        )
        if row is None:
            raise _hidden(rec.session, stix_id, CtiObjectRow.version == modified)
        rec.entry.record_agency = row.owner_agency
        rec.entry.detail = {"stix_id": stix_id, "version": row.version}
    return row


def versions(ctx: audit.Context, stix_id: str) -> list[CtiObjectRow]:
    """Every version of an object the caller may read, oldest first."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, stix_id) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        rows = sorted(
            rec.session.scalars(
                select(CtiObjectRow).where(
                    CtiObjectRow.stix_id == stix_id,
                    policy.visible(ctx.principal, CtiObjectRow),
                )
            ),
            key=lambda r: (r.version_at is None, r.version_at, r.version),
        )
        if not rows:
            raise _hidden(rec.session, stix_id)
        rec.entry.record_agency = rows[-1].owner_agency
        rec.entry.detail = {"stix_id": stix_id, "versions": [r.version for r in rows]}
    return rows


def newest(ctx: audit.Context, stix_ids: Iterable[str]) -> dict[str, CtiObjectRow]:
    """The newest version of each of the objects the caller may read, by id (the others are
    left out, as if missing); one audited read for all of them."""
    wanted = sorted(set(stix_ids))
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        found = newest_in(rec.session, ctx.principal, wanted)
        rec.entry.detail = {"asked": len(wanted), "stix_ids": sorted(found)}
    return found


def newest_in(
    session: Session, principal: Principal, stix_ids: Iterable[str]
) -> dict[str, CtiObjectRow]:
    """:func:`newest` inside the caller's own transaction (not audited: the caller audits)."""
    found: dict[str, CtiObjectRow] = {}
    ordered = sorted(set(stix_ids))
    for start in range(0, len(ordered), CHUNK):
        query = select(CtiObjectRow).where(
            CtiObjectRow.stix_id.in_(ordered[start : start + CHUNK]),
            CtiObjectRow.latest.is_(True),
            policy.visible(principal, CtiObjectRow),
        )
        found.update((row.stix_id, row) for row in session.scalars(query))
    return found


def latest_in(session: Session, principal: Principal, stix_id: str) -> CtiObjectRow:
    """:func:`get` inside the caller's own transaction (not audited: the caller audits)."""
    policy.require(principal, RECORD_TYPE, policy.READ)
    row = session.scalar(
        select(CtiObjectRow).where(
            CtiObjectRow.stix_id == stix_id,
            CtiObjectRow.latest.is_(True),
            policy.visible(principal, CtiObjectRow),
        )
    )
    if row is None:
        raise _hidden(session, stix_id, CtiObjectRow.latest.is_(True))
    return row


def search(ctx: audit.Context, query: Query) -> Page:
    """One page of the objects the caller may read that match, newest first."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.search", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        statement = select(CtiObjectRow).where(matching(ctx.principal, query))
        collection = _text(query.collection, "collection")
        collection_id = None
        if collection:
            collection_id = resolve(rec.session, ctx.principal, collection, "read").id
            # One entry per (collection, version): the join repeats no row.
            statement = statement.join(CtiEntryRow, CtiEntryRow.object_id == CtiObjectRow.id).where(
                CtiEntryRow.collection_id == collection_id
            )
        rows = list(
            rec.session.scalars(
                statement.order_by(
                    CtiObjectRow.version_at.desc().nulls_last(), CtiObjectRow.stix_id
                )
                .limit(query.limit + 1)
                .offset(query.offset)
            )
        )
        page = Page(rows[: query.limit], len(rows) > query.limit)
        rec.entry.detail = {
            "types": list(query.types),
            "name": query.name,
            "text": query.text,
            "collection": collection_id,
            "tlp": list(query.tlp),
            "revoked": query.revoked,
            "count": len(page.rows),
            "ids": [r.stix_id for r in page.rows],
        }
    return page


def matching(principal: Principal, query: Query) -> ColumnElement[bool]:
    """The SQL condition of a query, the access policy included."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}", field="limit")
    if not 0 <= query.offset <= MAX_OFFSET:
        raise InvalidInput(f"offset: between 0 and {MAX_OFFSET}", field="offset")
    condition = policy.visible(principal, CtiObjectRow)
    if not query.all_versions:
        condition &= CtiObjectRow.latest.is_(True)
    if query.revoked is not None:
        condition &= CtiObjectRow.revoked.is_(query.revoked)
    if query.types:
        bad = [t for t in query.types if not TYPE_NAME.match(t)]
        if bad:
            raise InvalidInput(f"type: {bad[0]!r} is not a STIX type name", field="type")
        condition &= or_(*(CtiObjectRow.stix_type == t for t in query.types))
    if query.tlp:
        codes = [scheme().tlp_code(code) for code in query.tlp]
        condition &= or_(*(CtiObjectRow.tlp == code for code in codes))
    name = _text(query.name, "name")
    if name:
        condition &= CtiObjectRow.name.ilike(contains(name), escape="\\")
    text = _text(query.text, "text")
    if text:
        condition &= or_(
            CtiObjectRow.name.ilike(contains(text), escape="\\"),
            in_values(CtiObjectRow.body, text),
        )
    return condition


def _text(value: str | None, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{field}: at most {MAX_TEXT} characters", field=field)
    return text or None


def _hidden(session: Session, stix_id: str, *conditions: ColumnElement[bool]) -> policy.Hidden:
    present = session.scalar(select(exists().where(CtiObjectRow.stix_id == stix_id, *conditions)))
    reason = "outside the caller's reach" if present else "no such record"
    return policy.Hidden(RECORD_TYPE, stix_id, reason)
