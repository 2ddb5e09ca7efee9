"""Who is looking at a page: the signed-in viewer, or a browser sent to the sign-in page.

Protected pages take :data:`PageCallerDep`: an anonymous browser is redirected (303) to
``/login?next=<page>``, an account that must change its password to ``/account/password``;
everything else is :func:`qalxan.web.auth.authenticate`'s. Public pages take
:data:`ViewerDep`, which never fails. Both leave a :class:`Viewer` on ``request.state.viewer``
for ``base.html`` (name, agency, clearance, the sign-out form's CSRF token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from qalxan.access.audit import Context
from qalxan.access.markings import Classification, scheme
from qalxan.access.tables import UserRow
from qalxan.doctrine.model import Item
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import NotFound, Unauthorized
from qalxan.store.engine import session_factory
from qalxan.web.auth import (
    PASSWORD_CHANGE_PATHS,
    Caller,
    authenticate,
    context,
    csrf_for,
    identify,
)

LOGIN_PATH = "/login"
PASSWORD_PATH = "/account/password"  # noqa: S105 - a page, not a password


class Redirect(Exception):
    """Send the browser elsewhere (303 See Other)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def install(app: FastAPI) -> None:
    async def redirect(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Redirect)
        return RedirectResponse(exc.location, status_code=303)

    app.add_exception_handler(Redirect, redirect)


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the page shell shows them."""

    caller: Caller
    display_name: str
    agency: Item | None
    clearance: Classification
    csrf: str | None

    @property
    def username(self) -> str:
        return self.caller.principal.username

    @property
    def can_administer(self) -> bool:
        return self.caller.principal.has("users:manage")


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


def login_url(request: Request) -> str:
    if request.method != "GET":
        return LOGIN_PATH
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{LOGIN_PATH}?next={quote(here, safe='')}"


def _viewer(request: Request, caller: Caller) -> Viewer:
    principal = caller.principal
    engine = request.app.state.engine
    display_name = principal.username
    if principal.user_id is not None:
        with session_factory(engine)() as session:
            user = session.get(UserRow, principal.user_id)
            if user is not None:
                display_name = user.display_name
    agency = None
    if principal.agency_id is not None:
        cache: DoctrineCache = request.app.state.doctrine_cache
        try:
            agency = cache.current(engine).get(principal.agency_id, "agency")
        except NotFound:
            agency = None
    return Viewer(
        caller,
        display_name,
        agency,
        scheme().by_rank(principal.clearance),
        csrf_for(request, caller),
    )


async def _remember(request: Request, caller: Caller) -> Viewer:
    viewer = await run_in_threadpool(_viewer, request, caller)
    request.state.viewer = viewer
    return viewer


async def get_viewer(request: Request) -> Viewer | None:
    """The signed-in viewer of a public page, or None (a bad credential counts as none)."""
    try:
        caller = await identify(request)
    except Unauthorized:
        return None
    return None if caller is None else await _remember(request, caller)


async def get_page_caller(request: Request) -> Caller:
    """The caller of a protected page; browsers without a session are sent to sign in."""
    caller = await identify(request)
    if caller is None:
        raise Redirect(login_url(request))
    if caller.principal.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise Redirect(PASSWORD_PATH)
    caller = await authenticate(request)
    await _remember(request, caller)
    return caller


ViewerDep = Annotated[Viewer | None, Depends(get_viewer)]
PageCallerDep = Annotated[Caller, Depends(get_page_caller)]


async def get_page_context(request: Request, caller: PageCallerDep) -> Context:
    """Who acts, from where, and the audit trail, for the core functions a page calls."""
    return context(request, caller)


PageCtxDep = Annotated[Context, Depends(get_page_context)]
