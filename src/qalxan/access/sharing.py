"""Sharing a protected record with other agencies or named users, and taking a share back.

What a share may do follows the record's TLP marking (``markings.yaml``): a record without a
marking stays inside its owning agency and cannot be shared; CLEAR and GREEN already reach
every agency, so a share would add nothing; AMBER and AMBER+STRICT go to agencies (or to named
users); RED goes to named users only. Only the owning agency (or an ``@any`` permission) shares,
which :func:`qalxan.access.policy.load` decides. A revoked share keeps its row with the time it
ended, so that who could read a record, and when, can still be answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.tables import Protected, ShareRow, UserRow
from qalxan.access.units import check_agency
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, InvalidInput, NotFound

MAX_TARGETS = 50
MAX_REASON = 2000


def active(session: Session, record_type: str, record_id: str) -> list[ShareRow]:
    """The shares of a record in force, oldest first (no policy check: callers have made it)."""
    return list(
        session.scalars(
            select(ShareRow)
            .where(
                ShareRow.record_type == record_type,
                ShareRow.record_id == record_id,
                ShareRow.revoked_at.is_(None),
            )
            .order_by(ShareRow.id)
        )
    )


def shares_of(ctx: audit.Context, model: type[Protected], record_id: str) -> list[ShareRow]:
    """The active shares of a record, for whoever may share it (recipients are not told who
    else received it)."""
    record_type = model.record_type
    with audit.recorded(ctx, f"{record_type}.shares", record_type, record_id) as rec:
        row: Protected = policy.load(rec.session, ctx.principal, model, record_id, "share")
        rec.entry.record_agency = row.owner_agency
        found = active(rec.session, record_type, record_id)
        rec.entry.detail = {"count": len(found)}
    return found


def share(
    ctx: audit.Context,
    doctrine: Doctrine,
    model: type[Protected],
    record_id: str,
    *,
    agency_ids: Sequence[str] = (),
    user_ids: Sequence[str] = (),
    reason: str,
) -> list[ShareRow]:
    """Share the record with agencies and/or named users; the shares to those targets are
    returned. Sharing again to a target that already has the record adds no second share."""
    record_type = model.record_type
    agencies, users = _unique(agency_ids), _unique(user_ids)
    with audit.recorded(ctx, f"{record_type}.share", record_type, record_id) as rec:
        session = rec.session
        row: Protected = policy.load(session, ctx.principal, model, record_id, "share")
        rec.entry.record_agency = row.owner_agency
        rec.entry.detail = {"agency_ids": agencies, "user_ids": users}
        why = _check_request(agencies, users, reason)
        _check_marking(row.tlp, agencies)
        for agency_id in agencies:
            check_agency(doctrine, agency_id, "agency_ids")
            if agency_id == row.owner_agency:
                raise InvalidInput(
                    "agency_ids: the owning agency has the record already", field="agency_ids"
                )
        for user_id in users:
            user = session.get(UserRow, user_id)
            if user is None or user.disabled:
                raise InvalidInput(
                    f"user_ids: no active user has the id {user_id!r}", field="user_ids"
                )
        existing = active(session, record_type, record_id)
        by_agency = {s.agency_id: s for s in existing if s.agency_id}
        by_user = {s.user_id: s for s in existing if s.user_id}
        result: list[ShareRow] = []
        for agency_id in agencies:
            result.append(
                by_agency.get(agency_id) or _add(session, ctx, row, why, agency_id=agency_id)
            )
        for user_id in users:
            result.append(by_user.get(user_id) or _add(session, ctx, row, why, user_id=user_id))
        session.flush()
        rec.entry.detail["share_ids"] = [s.id for s in result]
        rec.entry.detail["reason"] = why
    return result


def revoke(ctx: audit.Context, model: type[Protected], record_id: str, share_id: int) -> ShareRow:
    """End a share (the row stays, with ``revoked_at``); revoking an ended share changes nothing."""
    record_type = model.record_type
    with audit.recorded(ctx, f"{record_type}.unshare", record_type, record_id) as rec:
        session = rec.session
        row: Protected = policy.load(session, ctx.principal, model, record_id, "share")
        rec.entry.record_agency = row.owner_agency
        rec.entry.detail = {"share_id": share_id}
        found = session.get(ShareRow, share_id)
        if found is None or found.record_type != record_type or found.record_id != record_id:
            raise NotFound(
                f"share_id: the record has no share with the id {share_id}", field="share_id"
            )
        rec.entry.detail.update(agency_id=found.agency_id, user_id=found.user_id)
        if found.revoked_at is None:
            found.revoked_at = datetime.now(UTC)
    return found


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def _check_request(agencies: list[str], users: list[str], reason: str) -> str:
    if not agencies and not users:
        raise InvalidInput("agency_ids: name at least one agency or user", field="agency_ids")
    if len(agencies) > MAX_TARGETS or len(users) > MAX_TARGETS:
        field = "agency_ids" if len(agencies) > MAX_TARGETS else "user_ids"
        raise InvalidInput(f"{field}: at most {MAX_TARGETS} at a time", field=field)
    why = reason.strip()
    if not why:
        raise InvalidInput("reason: say why the record is shared", field="reason")
    if len(why) > MAX_REASON:
        raise InvalidInput(f"reason: at most {MAX_REASON} characters", field="reason")
    return why


def _check_marking(tlp: str | None, agencies: list[str]) -> None:
    marking = scheme().tlp_marking(tlp)
    if marking is None:
        raise Conflict(
            "tlp: a record without a TLP marking stays inside its owning agency; "
            "mark it before sharing it",
            field="tlp",
        )
    if marking.reach in ("everyone", "community"):
        raise InvalidInput(
            f"tlp: TLP:{marking.code} already reaches every agency; no share is needed",
            field="tlp",
        )
    if marking.reach == "named" and agencies:
        raise InvalidInput(
            f"agency_ids: a TLP:{marking.code} record is shared to named users only",
            field="agency_ids",
        )


def _add(
    session: Session,
    ctx: audit.Context,
    row: Protected,
    reason: str,
    *,
    agency_id: str | None = None,
    user_id: str | None = None,
) -> ShareRow:
    made = ShareRow(
        record_type=row.record_type,
        record_id=row.id,
        agency_id=agency_id,
        user_id=user_id,
        reason=reason,
        granted_by=ctx.principal.username,
        granted_at=datetime.now(UTC),
    )
    session.add(made)
    return made
