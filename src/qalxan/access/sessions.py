"""Login sessions of the web UI: a random token in an HttpOnly cookie, its hash in the database.

A session ends on logout, after ``idle`` without use, ``max_age`` after login, when its account
is disabled or its password is reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from qalxan.access import audit, throttle, tokens
from qalxan.access.identity import IdentityProvider, LocalPasswords, anonymous, principal_of
from qalxan.access.principal import Principal
from qalxan.access.tables import SessionRow, UserRow
from qalxan.errors import TooManyRequests, Unauthorized
from qalxan.store.engine import write_transaction

TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta = timedelta(minutes=30)
    max_age: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class Login:
    user: UserRow
    principal: Principal
    token: str


def aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def login(
    ctx: audit.Context,
    username: str,
    password: str,
    limits: throttle.Limits,
    lifetimes: Lifetimes,
    provider: IdentityProvider | None = None,
) -> Login:
    """Check the credentials and start a session; every attempt is audited."""
    provider = provider or LocalPasswords()
    attempt = audit.Context(anonymous(username), ctx.trail, ctx.ip, ctx.user_agent)
    entry = audit.Entry("auth.login", detail={"provider": provider.name})
    with write_transaction(ctx.trail.engine) as session:
        wait = throttle.locked_for(session, username, ctx.ip, limits)
    if wait:
        exc = TooManyRequests(
            f"too many failed logins; try again in {wait} seconds", retry_after=wait
        )
        audit.record_failure(attempt, entry, exc)
        raise exc
    with write_transaction(ctx.trail.engine) as session:
        user = provider.authenticate(session, username, password)
        if user is None:
            throttle.fail(session, username, ctx.ip)
            entry.detail["reason"] = "wrong user name or password, or account disabled"
            audit.append(session, attempt, entry, "denied")
        else:
            throttle.clear(session, username)
            token = tokens.new_token()
            now = datetime.now(UTC)
            session.add(
                SessionRow(
                    id=tokens.digest(token),
                    user_id=user.id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + lifetimes.max_age,
                    ip=ctx.ip,
                    user_agent=(ctx.user_agent or "")[:300] or None,
                )
            )
            user.last_login_at = now
            principal = principal_of(user, "session")
            entry.record_type, entry.record_id = "user", user.id
            entry.record_agency = user.agency_id
            audit.append(
                session,
                audit.Context(principal, ctx.trail, ctx.ip, ctx.user_agent),
                entry,
                "success",
            )
    if user is None:
        raise Unauthorized("wrong user name or password")
    return Login(user, principal, token)


def resolve(session: Session, token: str, lifetimes: Lifetimes) -> UserRow | None:
    """The account of a live session, touching its last use at most once a minute."""
    row = session.get(SessionRow, tokens.digest(token))
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or aware(row.expires_at) <= now:
        return None
    if aware(row.last_seen_at) + lifetimes.idle <= now:
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or user.disabled:
        return None
    if now - aware(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
    return user


def logout(ctx: audit.Context, token: str) -> None:
    with audit.recorded(ctx, "auth.logout", "user", ctx.principal.user_id) as rec:
        rec.entry.record_agency = ctx.principal.agency_id
        rec.session.execute(
            update(SessionRow)
            .where(SessionRow.id == tokens.digest(token))
            .values(revoked_at=datetime.now(UTC))
        )
