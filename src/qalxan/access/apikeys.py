"""API keys for system-to-system use: ``qx_<id>_<secret>``, scoped, expiring, revocable.

Only the SHA-256 of the secret is stored. A key acts as its owner, narrowed to its scopes: it
can never do more than the owner could.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit, tokens
from qalxan.access.principal import Principal
from qalxan.access.roles import catalogue
from qalxan.access.sessions import aware
from qalxan.access.tables import ApiKeyRow, UserRow
from qalxan.errors import Forbidden, InvalidInput, NotFound
from qalxan.store.ids import new_id

PREFIX = "qx_"


def create(
    ctx: audit.Context, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiKeyRow, str]:
    """A new key for the caller; the full key is returned once and never again."""
    principal = ctx.principal
    if principal.user_id is None or principal.via == "api_key":
        raise Forbidden("API keys are made by a signed-in user, not by another key")
    if not principal.has("apikeys:own"):
        raise Forbidden("your roles do not permit API keys")
    scopes = catalogue().check_scopes(scopes)
    if not scopes:
        raise InvalidInput("scopes: name at least one permission", field="scopes")
    beyond = [s for s in scopes if s not in principal.permissions]
    if beyond:
        raise InvalidInput(f"scopes: {beyond[0]!r} is not one of your permissions", "scopes")
    if expires_at is not None and aware(expires_at) <= datetime.now(UTC):
        raise InvalidInput("expires_at: must be in the future", field="expires_at")
    if not name.strip():
        raise InvalidInput("name: must not be empty", field="name")
    secret = tokens.new_token()
    key_id = new_id()[:16]
    with audit.recorded(ctx, "apikey.create", "apikey", key_id) as rec:
        rec.entry.record_agency = principal.agency_id
        rec.entry.detail = {"scopes": scopes, "expires_at": expires_at}
        row = ApiKeyRow(
            id=key_id,
            user_id=principal.user_id,
            name=name.strip(),
            secret_hash=tokens.digest(secret),
            scopes=scopes,
            created_by=principal.username,
            expires_at=expires_at,
        )
        rec.session.add(row)
    return row, f"{PREFIX}{key_id}_{secret}"


def listing(session: Session, principal: Principal) -> list[ApiKeyRow]:
    return list(
        session.scalars(
            select(ApiKeyRow)
            .where(ApiKeyRow.user_id == principal.user_id)
            .order_by(ApiKeyRow.created_at)
        )
    )


def revoke(ctx: audit.Context, key_id: str) -> ApiKeyRow:
    with audit.recorded(ctx, "apikey.revoke", "apikey", key_id) as rec:
        row = rec.session.get(ApiKeyRow, key_id)
        if row is None or row.user_id != ctx.principal.user_id:
            raise NotFound(f"no API key of yours has the id {key_id!r}", field="key_id")
        rec.entry.record_agency = ctx.principal.agency_id
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            row.revoked_by = ctx.principal.username
    return row


def resolve(session: Session, presented: str) -> tuple[ApiKeyRow, UserRow] | None:
    """The live key and its owner for a presented ``qx_<id>_<secret>``, or None."""
    if not presented.startswith(PREFIX):
        return None
    key_id, sep, secret = presented[len(PREFIX) :].partition("_")
    if not sep or not secret:
        return None
    row = session.get(ApiKeyRow, key_id)
    if row is None or not tokens.same(row.secret_hash, tokens.digest(secret)):
        return None
    now = datetime.now(UTC)
    if row.revoked_at is not None or (row.expires_at and aware(row.expires_at) <= now):
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or user.disabled:
        return None
    return row, user
