"""Who is calling the TAXII server: HTTP Basic (a platform account's user name and password) or
an API key (``Authorization: Bearer <key>``). Anything else is a 401 asking for Basic.

Basic credentials are checked like a sign-in on every request: the same login throttle (too
many failures for a user name or from an address lock both out), the same argon2 check that
costs as much for a missing account, and every failed attempt audited as ``auth.login``. A
successful check is not audited on its own: the TAXII call it makes is. No session is made
and cookies are ignored, so TAXII routes need no CSRF token. API keys are cheap to check (no
password hash), which is why scheduled partner pulls should use one.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Request

from qalxan.access import apikeys, audit, throttle
from qalxan.access.identity import LocalPasswords, anonymous, principal_of
from qalxan.access.principal import Principal
from qalxan.errors import TooManyRequests, Unauthorized
from qalxan.store.engine import transaction, write_transaction
from qalxan.web.auth import login_limits

REALM = 'Basic realm="Qalxan TAXII"'
ASK = "send a user name and password (HTTP Basic) or an API key ('Authorization: Bearer <key>')"


def _where(request: Request) -> tuple[str | None, str | None]:
    return (request.client.host if request.client else None, request.headers.get("user-agent"))


def _api_key(request: Request, key: str) -> Principal:
    with transaction(request.app.state.engine) as session:
        found = apikeys.resolve(session, key)
        if found is None:
            raise Unauthorized("the API key is unknown, expired or revoked")
        row, user = found
        return principal_of(user, "api_key", frozenset(row.scopes))


def _basic(request: Request, credential: str) -> Principal:
    try:
        username, sep, password = (
            base64.b64decode(credential, validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized(f"the Basic credentials are not readable; {ASK}") from None
    if not sep or not username or len(username) > 80 or len(password) > 256:
        raise Unauthorized(f"the Basic credentials are not readable; {ASK}")
    ip, agent = _where(request)
    trail = request.app.state.trail
    attempt = audit.Context(anonymous(username), trail, ip, agent)
    entry = audit.Entry("auth.login", detail={"provider": "local", "via": "taxii-basic"})
    limits = login_limits(request.app.state.settings)
    with write_transaction(trail.engine) as session:
        wait = throttle.locked_for(session, username, ip, limits)
    if wait:
        exc = TooManyRequests(
            f"too many failed logins; try again in {wait} seconds", retry_after=wait
        )
        audit.record_failure(attempt, entry, exc)
        raise exc
    with write_transaction(trail.engine) as session:
        user = LocalPasswords().authenticate(session, username, password)
        if user is None:
            throttle.fail(session, username, ip)
            entry.detail["reason"] = "wrong user name or password, or account disabled"
            audit.append(session, attempt, entry, "denied")
        else:
            throttle.clear(session, username)
    if user is None:
        raise Unauthorized("wrong user name or password")
    return principal_of(user, "basic")


def taxii_context(request: Request) -> audit.Context:
    """The audit context of an authenticated TAXII caller; a 401 otherwise."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and credential:
        principal = _api_key(request, credential)
    elif scheme.lower() == "basic" and credential:
        principal = _basic(request, credential)
    else:
        raise Unauthorized(ASK)
    ip, agent = _where(request)
    return audit.Context(principal, request.app.state.trail, ip, agent)


TaxiiCtx = Annotated[audit.Context, Depends(taxii_context)]
