"""Who is calling: bearer API keys and session cookies become a principal, or a 401.

Cookie-authenticated requests that change something must carry the session's CSRF token (the
``X-CSRF-Token`` header for scripts, a ``csrf_token`` form field for pages, checked by the page
routes); bearer requests need none, since browsers never send them on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from qalxan.access import apikeys, sessions, throttle, tokens
from qalxan.access.audit import Context, Trail
from qalxan.access.identity import principal_of
from qalxan.access.principal import Principal
from qalxan.errors import Forbidden, Unauthorized
from qalxan.settings import Settings
from qalxan.store.engine import transaction

SESSION_COOKIE = "qalxan_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Where a user who must change their password may still go.
PASSWORD_CHANGE_PATHS = frozenset(
    {
        "/api/v1/auth/me",
        "/api/v1/auth/password",
        "/api/v1/auth/logout",
        "/account/password",
        "/logout",
    }
)


@dataclass(frozen=True)
class Caller:
    principal: Principal
    session_token: str | None


def lifetimes(settings: Settings) -> sessions.Lifetimes:
    return sessions.Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        max_age=timedelta(hours=settings.session_max_hours),
    )


def login_limits(settings: Settings) -> throttle.Limits:
    return throttle.Limits(
        settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes)
    )


def _identify(request: Request) -> Caller | None:
    engine = request.app.state.engine
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and credential:
        with transaction(engine) as session:
            found = apikeys.resolve(session, credential.strip())
            if found is None:
                raise Unauthorized("the API key is unknown, expired or revoked")
            key, user = found
            return Caller(principal_of(user, "api_key", frozenset(key.scopes)), None)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with transaction(engine) as session:
            owner = sessions.resolve(session, token, lifetimes(request.app.state.settings))
            if owner is not None:
                return Caller(principal_of(owner, "session"), token)
    return None


async def identify(request: Request) -> Caller | None:
    """The caller, or None for an anonymous request (cached on the request)."""
    if hasattr(request.state, "caller"):
        cached: Caller | None = request.state.caller
        return cached
    caller = await run_in_threadpool(_identify, request)
    request.state.caller = caller
    return caller


def check_csrf(request: Request, caller: Caller, sent: str | None) -> None:
    expected = csrf_for(request, caller)
    if expected is not None and (sent is None or not tokens.same(sent, expected)):
        raise Forbidden("the CSRF token is missing or wrong")


def csrf_for(request: Request, caller: Caller) -> str | None:
    if caller.session_token is None:
        return None
    secret: str = request.app.state.secret_key
    return tokens.csrf_token(secret, caller.session_token)


async def authenticate(request: Request) -> Caller:
    """The caller of a protected route: 401 when anonymous, CSRF-checked when by cookie."""
    caller = await identify(request)
    if caller is None:
        raise Unauthorized("sign in, or send an API key as 'Authorization: Bearer <key>'")
    if caller.principal.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise Forbidden("the password must be changed before anything else")
    if caller.session_token is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        page_form = not request.url.path.startswith("/api/") and request.headers.get(
            "content-type", ""
        ).startswith(FORM_TYPES)
        # Page forms carry the token in their body instead; their routes check it (web.forms).
        if not (sent is None and page_form):
            check_csrf(request, caller, sent)
    return caller


def context(request: Request, caller: Caller) -> Context:
    trail: Trail = request.app.state.trail
    client = request.client.host if request.client else None
    return Context(caller.principal, trail, client, request.headers.get("user-agent"))
