"""Pages of one's own account: sign in and out, change the password, profile and API keys."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from qalxan.access import accounts, apikeys, sessions, tokens, units
from qalxan.access.markings import scheme
from qalxan.access.roles import catalogue
from qalxan.access.tables import UserRow
from qalxan.errors import InvalidInput, NotFound, QalxanError, TooManyRequests, Unauthorized
from qalxan.web import forms
from qalxan.web.auth import SESSION_COOKIE
from qalxan.web.deps import DoctrineDep, SessionDep, SettingsDep
from qalxan.web.errors import status_of
from qalxan.web.page_auth import (
    PASSWORD_PATH,
    PageCallerDep,
    PageCtxDep,
    ViewerDep,
    local_path,
)
from qalxan.web.routers.auth_api import LoginIn, login_attempt, set_session_cookie
from qalxan.web.templating import render

router = APIRouter(include_in_schema=False)
NextParam = Annotated[str, Query(max_length=2000)]


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def login_page(
    request: Request,
    *,
    username: str = "",
    next_path: str = "/",
    error: str | None = None,
    minutes: int = 0,
    status: int = 200,
) -> HTMLResponse:
    """The sign-in form, with a fresh double-submit token in its field and cookie."""
    token = tokens.new_token()
    context = {"username": username, "next": next_path, "error": error, "minutes": minutes}
    response = render(request, "account/login.html", {**context, "csrf": token}, status)
    forms.set_login_token(request, response, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, viewer: ViewerDep, next: NextParam = "/") -> Response:
    target = local_path(next)
    if viewer is not None and viewer.caller.session_token is not None:
        must_change = viewer.caller.principal.must_change_password
        return see_other(PASSWORD_PATH if must_change else target)
    return login_page(request, next_path=target)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, settings: SettingsDep) -> Response:
    form = await forms.read_form(request)
    username = form.text("username")
    password = form.secret("password", 1000)
    next_path = local_path(form.text("next", 2000))

    def again(error: str, status: int, minutes: int = 0) -> HTMLResponse:
        return login_page(
            request,
            username=username[:80],
            next_path=next_path,
            error=error,
            minutes=minutes,
            status=status,
        )

    if not forms.login_token_ok(request, form):
        return again("expired", 403)
    if not username or not password:
        return again("missing", 422)
    if len(username) > 80 or len(password) > 256:
        return again("credentials", 401)
    body = LoginIn(username=username, password=password)
    try:
        done = await run_in_threadpool(login_attempt, request, settings, body)
    except Unauthorized:
        return again("credentials", 401)
    except TooManyRequests as exc:
        return again("locked", 429, max(1, math.ceil(exc.retry_after / 60)))
    must_change = done.principal.must_change_password
    response = see_other(PASSWORD_PATH if must_change else next_path)
    set_session_cookie(request, response, done.token)
    forms.forget_login_token(response)
    return response


@router.post("/logout")
def logout(caller: PageCallerDep, form: forms.PageFormDep, ctx: PageCtxDep) -> Response:
    del form  # checked for its CSRF token
    if caller.session_token is not None:
        sessions.logout(ctx, caller.session_token)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def password_page(
    request: Request, forced: bool, error: QalxanError | None = None, status: int = 200
) -> HTMLResponse:
    return render(
        request, "account/password.html", {"forced": forced, "error": error}, status=status
    )


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, caller: PageCallerDep) -> HTMLResponse:
    return password_page(request, caller.principal.must_change_password)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, caller: PageCallerDep, form: forms.PageFormDep, ctx: PageCtxDep
) -> Response:
    forced = caller.principal.must_change_password
    try:
        new = form.secret("new_password")
        if new != form.secret("confirm_password"):
            raise InvalidInput(
                "confirm_password: does not match the new password", "confirm_password"
            )
        keep = tokens.digest(caller.session_token) if caller.session_token else None
        accounts.change_password(ctx, form.secret("current_password"), new, keep)
    except (InvalidInput, NotFound) as exc:
        return password_page(request, forced, exc, status_of(exc))
    return see_other("/account?done=password")


def profile(
    request: Request,
    session: SessionDep,
    doctrine: DoctrineDep,
    caller: PageCallerDep,
    *,
    new_key: str | None = None,
    error: QalxanError | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The profile page, with a new key's secret (shown this once) or the key form's error."""
    principal = caller.principal
    user = session.get(UserRow, principal.user_id) if principal.user_id else None
    if user is None:
        raise NotFound("no account is signed in")
    try:
        agency = doctrine.get(user.agency_id, "agency")
    except NotFound:
        agency = None
    context = {
        "user": user,
        "agency": agency,
        "unit": units.get(session, user.unit_id) if user.unit_id else None,
        "roles": [catalogue().role(r) for r in user.roles],
        "clearance": scheme().by_rank(user.clearance),
        "keys": apikeys.listing(session, principal),
        "permissions": sorted(principal.permissions),
        "can_hold_keys": principal.has("apikeys:own"),
        "done": request.query_params.get("done"),
        "new_key": new_key,
        "error": error,
        "values": values or {},
    }
    response = render(request, "account/profile.html", context, status=status)
    if new_key is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request, session: SessionDep, doctrine: DoctrineDep, caller: PageCallerDep
) -> HTMLResponse:
    return profile(request, session, doctrine, caller)


def expiry(day: str | None) -> datetime | None:
    """The end of ``day`` (YYYY-MM-DD) in UTC: a key made to expire on a day works all that day."""
    if day is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(day), time.max, UTC)
    except ValueError:
        raise InvalidInput("expires_at: a date as YYYY-MM-DD", field="expires_at") from None


@router.post("/account/api-keys", response_class=HTMLResponse)
def create_key(
    request: Request,
    session: SessionDep,
    doctrine: DoctrineDep,
    caller: PageCallerDep,
    form: forms.PageFormDep,
    ctx: PageCtxDep,
) -> HTMLResponse:
    name, scopes = form.text("name", 200), form.many("scopes")
    try:
        _, secret = apikeys.create(ctx, name, scopes, expiry(form.optional("expires_at", 10)))
    except InvalidInput as exc:
        values = {"name": name, "scopes": scopes, "expires_at": form.text("expires_at", 10)}
        return profile(
            request, session, doctrine, caller, error=exc, values=values, status=status_of(exc)
        )
    return profile(request, session, doctrine, caller, new_key=secret, status=201)


@router.post("/account/api-keys/{key_id}/revoke")
def revoke_key(key_id: str, form: forms.PageFormDep, ctx: PageCtxDep) -> Response:
    del form  # checked for its CSRF token
    apikeys.revoke(ctx, key_id)
    return see_other("/account?done=revoked")
