"""TAXII collections and who may read or write them.

A collection belongs to the agency that created it. Its owning agency may always read and
write it; any other agency or partner organisation (a doctrine id: ``agency-sbs``,
``org-nato``) only as far as a :class:`CtiRightRow` grants. A right only opens the door: the
caller's roles must still permit ``cti:read`` (reading) or ``cti:create`` (writing), and every
object read through the collection is still filtered by the caller's clearance and the
object's TLP (:mod:`qalxan.cti.taxii.query`).

A caller with neither right does not learn that the collection exists: it is answered exactly
as a missing one (404, :class:`qalxan.access.policy.Hidden`, the audit record alone saying
which it was); one with one right but not the other is refused the other (403). Granting is
the same: a caller who may not see the collection gets the 404, one who sees it without being
its owning agency's sharer gets the 403.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.cti.tables import CtiCollectionRow, CtiEntryRow, CtiObjectRow, CtiRightRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, Forbidden, InvalidInput, required_text

RECORD_TYPE = CtiObjectRow.record_type
AUDIT_TYPE = "cti_collection"
MISSING, OUT_OF_REACH = "no such record", "outside the caller's reach"
API_ROOT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ALIAS = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
GRANTEE_KINDS = ("agency", "organisation")


@dataclass(frozen=True)
class Rights:
    can_read: bool
    can_write: bool


def check_api_root(api_root: str) -> str:
    if not API_ROOT.match(api_root):
        raise InvalidInput(
            "api_root: 1-64 lower-case letters, digits, '_' or '-'", field="api_root"
        )
    return api_root


def create(
    ctx: audit.Context,
    *,
    api_root: str,
    title: str,
    description: str | None = None,
    alias: str | None = None,
    collection_id: str | None = None,
) -> CtiCollectionRow:
    """A new collection owned by the caller's agency; needs ``cti:create``."""
    new_id = collection_id or str(uuid.uuid4())
    with audit.recorded(ctx, "cti.collection.create", AUDIT_TYPE, new_id) as rec:
        owner = policy.check_create(ctx.principal, RECORD_TYPE, None, 0)
        rec.entry.record_agency = owner
        if alias is not None and not ALIAS.match(alias):
            raise InvalidInput("alias: lower-case letters, digits, '.', '_' or '-'", "alias")
        row = CtiCollectionRow(
            id=_check_id(new_id),
            api_root=check_api_root(api_root),
            title=required_text(title, "title", 200),
            description=(description or "").strip() or None,
            alias=alias,
            owner_agency=owner,
            created_by=ctx.principal.username[:200],
        )
        clash = CtiCollectionRow.id == row.id
        if alias is not None:
            clash = clash | (
                (CtiCollectionRow.api_root == row.api_root) & (CtiCollectionRow.alias == alias)
            )
        taken = select(CtiCollectionRow.id).where(clash)
        if rec.session.scalar(taken) is not None:
            raise Conflict("id: a collection with this id or alias exists", field="id")
        rec.session.add(row)
        rec.entry.detail = {"api_root": row.api_root, "title": row.title, "alias": alias}
    return row


def _check_id(collection_id: str) -> str:
    try:
        return str(uuid.UUID(collection_id))
    except ValueError:
        raise InvalidInput("id: a collection id is a UUID", field="id") from None


def rights(session: Session, principal: Principal, row: CtiCollectionRow) -> Rights:
    """What ``principal`` may do with the collection ``row``."""
    agency = principal.agency_id
    owner = agency == row.owner_agency
    granted = None if owner or agency is None else session.get(CtiRightRow, (row.id, agency))

    def may(action: str, right: bool) -> bool:
        scope = principal.scope(RECORD_TYPE, action)
        return scope == "any" or (scope == "agency" and (owner or right))

    return Rights(
        can_read=may(policy.READ, granted is not None and granted.can_read),
        can_write=may("create", granted is not None and granted.can_write),
    )


def visible(
    session: Session, principal: Principal, api_root: str | None = None
) -> list[tuple[CtiCollectionRow, Rights]]:
    """The collections the caller may read or write (of ``api_root``), oldest first."""
    query = select(CtiCollectionRow).order_by(CtiCollectionRow.created_at, CtiCollectionRow.id)
    if api_root is not None:
        query = query.where(CtiCollectionRow.api_root == api_root)
    if principal.scope(RECORD_TYPE, policy.READ) != "any":
        granted = select(CtiRightRow.collection_id).where(
            CtiRightRow.grantee == principal.agency_id,
            or_(CtiRightRow.can_read, CtiRightRow.can_write),
        )
        query = query.where(
            or_(
                CtiCollectionRow.owner_agency == principal.agency_id,
                CtiCollectionRow.id.in_(granted),
            )
        )
    found = [(row, rights(session, principal, row)) for row in session.scalars(query)]
    return [(row, r) for row, r in found if r.can_read or r.can_write]


def get(
    session: Session, principal: Principal, api_root: str, collection_id: str, need: str = ""
) -> tuple[CtiCollectionRow, Rights]:
    """The collection and the caller's rights; ``need`` is ``read``, ``write`` or both
    (``read,write``). NotFound without any right, Forbidden without the needed one."""
    row = session.get(CtiCollectionRow, collection_id)
    if row is None or row.api_root != api_root:
        raise hidden(collection_id, MISSING)
    found = rights(session, principal, row)
    if not (found.can_read or found.can_write):
        raise hidden(collection_id, OUT_OF_REACH)
    if "read" in need and not found.can_read:
        raise Forbidden(f"you may not read the collection {collection_id!r}")
    if "write" in need and not found.can_write:
        raise Forbidden(f"you may not write to the collection {collection_id!r}")
    return row, found


def hidden(collection_id: str, reason: str) -> policy.Hidden:
    """The 404 of a collection that is missing or out of the caller's reach: one answer for
    both; ``reason`` goes only to the audit trail."""
    answer = policy.Hidden("collection", collection_id, reason)
    answer.field = "collection_id"
    return answer


def grant(
    ctx: audit.Context,
    doctrine: Doctrine,
    collection_id: str,
    grantee: str,
    *,
    read: bool,
    write: bool,
) -> CtiRightRow | None:
    """Set what ``grantee`` (an agency or partner organisation of the doctrine) may do with
    the collection; neither right revokes. Only the owning agency grants (``cti:share``).

    The collection first, as :func:`get` finds it: missing or out of the caller's reach is
    one and the same 404. Then, for a caller who sees it, 403 without ``cti:share`` or when
    not of the owning agency."""
    check_grantee(doctrine, grantee)
    action = "cti.collection.grant" if read or write else "cti.collection.revoke"
    with audit.recorded(ctx, action, AUDIT_TYPE, collection_id) as rec:
        session = rec.session
        row = session.get(CtiCollectionRow, collection_id)
        if row is None:
            raise hidden(collection_id, MISSING)
        row, _ = get(session, ctx.principal, row.api_root, collection_id)
        rec.entry.record_agency = row.owner_agency
        policy.require(ctx.principal, RECORD_TYPE, "share")
        scope = ctx.principal.scope(RECORD_TYPE, "share")
        if scope != "any" and ctx.principal.agency_id != row.owner_agency:
            raise Forbidden("only the owning agency grants rights to its collection")
        if grantee == row.owner_agency:
            raise InvalidInput("grantee: the owning agency always has every right", "grantee")
        rec.entry.detail = {"grantee": grantee, "read": read, "write": write}
        existing = session.get(CtiRightRow, (collection_id, grantee))
        if existing is not None:
            session.delete(existing)
            session.flush()
        if not (read or write):
            return None
        right = CtiRightRow(
            collection_id=collection_id,
            grantee=grantee,
            can_read=read,
            can_write=write,
            granted_by=ctx.principal.username[:200],
        )
        session.add(right)
    return right


def check_grantee(doctrine: Doctrine, grantee: str) -> None:
    item = doctrine.items.get(grantee)
    if item is None or item.kind not in GRANTEE_KINDS:
        raise InvalidInput(
            f"grantee: no agency or partner organisation has the id {grantee!r}", "grantee"
        )


def granted(session: Session, collection_id: str) -> list[CtiRightRow]:
    query = select(CtiRightRow).where(CtiRightRow.collection_id == collection_id)
    return list(session.scalars(query.order_by(CtiRightRow.grantee)))


@dataclass(frozen=True)
class Description:
    row: CtiCollectionRow
    rights: Rights
    grants: list[CtiRightRow]
    members: int  # object versions in the collection


def listing(ctx: audit.Context, api_root: str | None = None) -> list[Description]:
    """:func:`visible`, audited, each collection with its grants and member count: one query
    for the counts and one for the grants, however many collections are listed."""
    with audit.recorded(ctx, "cti.collection.list", AUDIT_TYPE) as rec:
        session = rec.session
        found = visible(session, ctx.principal, api_root)
        ids = [row.id for row, _ in found]
        counted = session.execute(
            select(CtiEntryRow.collection_id, func.count())
            .where(CtiEntryRow.collection_id.in_(ids))
            .group_by(CtiEntryRow.collection_id)
        )
        members: dict[str, int] = {str(cid): int(n) for cid, n in counted}
        grants: dict[str, list[CtiRightRow]] = {}
        for right in session.scalars(
            select(CtiRightRow)
            .where(CtiRightRow.collection_id.in_(ids))
            .order_by(CtiRightRow.collection_id, CtiRightRow.grantee)
        ):
            grants.setdefault(right.collection_id, []).append(right)
        rec.entry.detail = {"api_root": api_root, "count": len(found)}
    return [Description(row, r, grants.get(row.id, []), members.get(row.id, 0)) for row, r in found]


def describe(ctx: audit.Context, collection_id: str) -> Description:
    """A collection, the caller's rights, its grants and how many versions it holds."""
    with audit.recorded(ctx, "cti.collection.read", AUDIT_TYPE, collection_id) as rec:
        session = rec.session
        row = session.get(CtiCollectionRow, collection_id)
        if row is None:
            raise hidden(collection_id, MISSING)
        row, found = get(session, ctx.principal, row.api_root, collection_id)
        rec.entry.record_agency = row.owner_agency
        members = session.scalar(
            select(func.count()).where(CtiEntryRow.collection_id == collection_id)
        )
        return Description(row, found, granted(session, collection_id), int(members or 0))
