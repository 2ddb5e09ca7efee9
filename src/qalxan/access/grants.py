"""Inquiry grants: an oversight user's access, for a named inquiry, to records they could not
otherwise read.

A platform administrator (``grants:manage``) grants a user who holds ``inquiry:read`` access to
one record (``record_type`` + ``record_id``) or to every record of a type owned by an agency
(``record_type`` + ``agency_id``), for a stated inquiry and until a date at most
:data:`MAX_DAYS` ahead. Nobody grants themselves. Clearance still applies: a grant widens the
reach, never the clearance. :mod:`qalxan.access.policy` honours live grants; a revoked grant
keeps its row with the time it ended.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from qalxan.access import audit
from qalxan.access.roles import catalogue
from qalxan.access.sessions import aware
from qalxan.access.tables import GrantRow, UserRow
from qalxan.access.units import check_agency
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Forbidden, InvalidInput, NotFound, required_text
from qalxan.store.ids import new_id

MAX_DAYS = 366
MAX_INQUIRY = 2000
MANAGE = "grants:manage"
HOLDER = "inquiry:read"


def create(
    ctx: audit.Context,
    doctrine: Doctrine,
    *,
    user_id: str,
    record_type: str,
    inquiry: str,
    expires_at: datetime,
    record_id: str | None = None,
    agency_id: str | None = None,
) -> GrantRow:
    """A new grant; ``record_id`` and ``agency_id`` are exclusive, and one of them is required."""
    grant_id = new_id()
    with audit.recorded(ctx, "grant.create", "grant", grant_id) as rec:
        rec.entry.record_agency = agency_id
        rec.entry.detail = {"user_id": user_id, "record_type": record_type}
        if not ctx.principal.has(MANAGE):
            raise Forbidden(f"your roles do not permit {MANAGE}")
        _check_target(doctrine, record_type, record_id, agency_id)
        text = _check_inquiry(inquiry)
        until = _check_expiry(expires_at)
        holder = rec.session.get(UserRow, user_id)
        if holder is None or holder.disabled:
            raise InvalidInput(f"user_id: no active user has the id {user_id!r}", field="user_id")
        if HOLDER not in catalogue().permissions(holder.roles):
            raise InvalidInput(
                f"user_id: {holder.username!r} does not hold {HOLDER} (an oversight role)",
                field="user_id",
            )
        if holder.id == ctx.principal.user_id:
            raise Forbidden("user_id: nobody grants themselves access")
        grant = GrantRow(
            id=grant_id,
            user_id=holder.id,
            record_type=record_type,
            record_id=record_id,
            agency_id=agency_id,
            inquiry=text,
            granted_by=ctx.principal.username,
            granted_at=datetime.now(UTC),
            expires_at=until,
        )
        rec.session.add(grant)
        rec.entry.detail.update(
            record_id=record_id, agency_id=agency_id, inquiry=text, expires_at=until
        )
    return grant


def revoke(ctx: audit.Context, grant_id: str) -> GrantRow:
    """End a grant now; revoking an ended grant changes nothing."""
    with audit.recorded(ctx, "grant.revoke", "grant", grant_id) as rec:
        if not ctx.principal.has(MANAGE):
            raise Forbidden(f"your roles do not permit {MANAGE}")
        grant = rec.session.get(GrantRow, grant_id)
        if grant is None:
            raise NotFound(f"no grant has the id {grant_id!r}", field="id")
        rec.entry.record_agency = grant.agency_id
        rec.entry.detail = {"user_id": grant.user_id}
        if grant.revoked_at is None:
            grant.revoked_at = datetime.now(UTC)
    return grant


def listing(ctx: audit.Context) -> list[GrantRow]:
    """Every grant for ``grants:manage``; one's own for an ``inquiry:read`` holder; newest first."""
    principal = ctx.principal
    with audit.recorded(ctx, "grant.list", "grant") as rec:
        query = select(GrantRow).order_by(GrantRow.granted_at.desc(), GrantRow.id)
        if not principal.has(MANAGE):
            if not principal.has(HOLDER) or principal.user_id is None:
                raise Forbidden(f"your roles do not permit {MANAGE} or {HOLDER}")
            query = query.where(GrantRow.user_id == principal.user_id)
        found = list(rec.session.scalars(query))
        rec.entry.detail = {"count": len(found), "own": not principal.has(MANAGE)}
    return found


def is_active(grant: GrantRow, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return grant.revoked_at is None and aware(grant.expires_at) > now


def _check_target(
    doctrine: Doctrine, record_type: str, record_id: str | None, agency_id: str | None
) -> None:
    known = catalogue().record_types
    if record_type not in known:
        raise InvalidInput(
            f"record_type: unknown record type {record_type!r} (one of {', '.join(known)})",
            field="record_type",
        )
    if (record_id is None) == (agency_id is None):
        raise InvalidInput(
            "record_id: name either one record (record_id) or an agency (agency_id)",
            field="record_id",
        )
    if record_id is not None and not 0 < len(record_id.strip()) <= 32:
        raise InvalidInput("record_id: 1-32 characters", field="record_id")
    if agency_id is not None:
        check_agency(doctrine, agency_id, "agency_id")


def _check_inquiry(inquiry: str) -> str:
    return required_text(inquiry, "inquiry", MAX_INQUIRY, "name the inquiry and its legal basis")


def _check_expiry(expires_at: datetime) -> datetime:
    # Stored in UTC: SQLite keeps no offset, and the policy compares with the time in UTC.
    until = aware(expires_at).astimezone(UTC)
    now = datetime.now(UTC)
    if until <= now:
        raise InvalidInput("expires_at: must be in the future", field="expires_at")
    if until > now + timedelta(days=MAX_DAYS):
        raise InvalidInput(f"expires_at: at most {MAX_DAYS} days ahead", field="expires_at")
    return until
