"""Sign-in, sign-out, one's own account and API keys: ``/api/v1/auth/...``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from qalxan.access import accounts, apikeys, sessions, tokens
from qalxan.access.audit import Context
from qalxan.access.identity import anonymous
from qalxan.access.markings import scheme
from qalxan.access.tables import ApiKeyRow, UserRow
from qalxan.web.auth import SESSION_COOKIE, Caller, csrf_for, lifetimes, login_limits
from qalxan.web.deps import CallerDep, CtxDep, SessionDep, SettingsDep

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=80)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class PasswordIn(BaseModel):
    current_password: Annotated[str, Field(max_length=256)]
    new_password: Annotated[str, Field(max_length=256)]


class ApiKeyIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    scopes: Annotated[list[str], Field(min_length=1, max_length=100)]
    expires_at: datetime | None = None


def user_out(user: UserRow) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "agency_id": user.agency_id,
        "unit_id": user.unit_id,
        "roles": list(user.roles),
        "clearance": scheme().by_rank(user.clearance).code,
        "disabled": user.disabled,
        "must_change_password": user.must_change_password,
        "last_login_at": user.last_login_at,
    }


def key_out(key: ApiKeyRow) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "scopes": list(key.scopes),
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
    }


def me_out(request: Request, caller: Caller) -> dict[str, Any]:
    principal = caller.principal
    return {
        "id": principal.user_id,
        "username": principal.username,
        "agency_id": principal.agency_id,
        "unit_id": principal.unit_id,
        "roles": list(principal.roles),
        "clearance": scheme().by_rank(principal.clearance).code,
        "permissions": sorted(principal.permissions),
        "via": principal.via,
        "must_change_password": principal.must_change_password,
        "csrf_token": csrf_for(request, caller),
    }


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    secure = settings.cookie_secure
    if secure is None:
        secure = settings.env == "production" or request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )


def login_attempt(request: Request, settings: SettingsDep, body: LoginIn) -> sessions.Login:
    ctx = Context(
        anonymous(body.username),
        request.app.state.trail,
        request.client.host if request.client else None,
        request.headers.get("user-agent"),
    )
    return sessions.login(
        ctx, body.username, body.password, login_limits(settings), lifetimes(settings)
    )


@router.post("/login", summary="Sign in with a user name and password; sets the session cookie")
async def login(
    request: Request, response: Response, settings: SettingsDep, body: LoginIn
) -> dict[str, Any]:
    done = await run_in_threadpool(login_attempt, request, settings, body)
    set_session_cookie(request, response, done.token)
    caller = Caller(done.principal, done.token)
    return me_out(request, caller)


@router.post("/logout", summary="End the current session")
def logout(request: Request, response: Response, caller: CallerDep, ctx: CtxDep) -> dict[str, str]:
    if caller.session_token is not None:
        sessions.logout(ctx, caller.session_token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"status": "signed out"}


@router.get("/me", summary="The caller: account, roles, clearance, permissions, CSRF token")
def me(request: Request, caller: CallerDep) -> dict[str, Any]:
    return me_out(request, caller)


@router.post("/password", summary="Change one's own password")
def change_password(caller: CallerDep, ctx: CtxDep, body: PasswordIn) -> dict[str, str]:
    keep = tokens.digest(caller.session_token) if caller.session_token else None
    accounts.change_password(ctx, body.current_password, body.new_password, keep)
    return {"status": "password changed"}


@router.get("/api-keys", summary="The caller's API keys (never their secrets)")
def list_keys(session: SessionDep, ctx: CtxDep) -> list[dict[str, Any]]:
    return [key_out(k) for k in apikeys.listing(session, ctx.principal)]


@router.post("/api-keys", status_code=201, summary="Make an API key; its secret is shown once")
def create_key(ctx: CtxDep, body: ApiKeyIn) -> dict[str, Any]:
    key, secret = apikeys.create(ctx, body.name, body.scopes, body.expires_at)
    return {**key_out(key), "key": secret}


@router.delete("/api-keys/{key_id}", summary="Revoke one of the caller's API keys")
def revoke_key(ctx: CtxDep, key_id: str) -> dict[str, Any]:
    return key_out(apikeys.revoke(ctx, key_id))
