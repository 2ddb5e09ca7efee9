"""Administration pages: the accounts and units of the agencies the caller administers.

The pages call the same core functions as ``/api/v1/users`` and ``/api/v1/units``, so every rule
(own agency only, no clearance above one's own, restricted roles) holds here too; the forms only
leave out choices the caller could not make.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from qalxan.access import accounts, throttle, units
from qalxan.access.audit import Context
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.access.roles import Role, catalogue
from qalxan.access.tables import UserRow
from qalxan.doctrine.model import Item
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, Forbidden, InvalidInput, QalxanError
from qalxan.web.auth import login_limits
from qalxan.web.deps import DoctrineDep, SessionDep
from qalxan.web.errors import STATUS
from qalxan.web.forms import Form, PageFormDep
from qalxan.web.page_auth import PageCtxDep
from qalxan.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
FORM_ERRORS = (InvalidInput, Conflict, Forbidden)


def administrator(ctx: Context) -> Principal:
    if not ctx.principal.has("users:manage"):
        raise Forbidden("you do not administer accounts")
    return ctx.principal


def agencies(doctrine: Doctrine, principal: Principal) -> list[Item]:
    """The agencies whose accounts and units the caller administers."""
    every = doctrine.of_kind("agency")
    if principal.has("users:manage-any"):
        return every
    return [a for a in every if a.id == principal.agency_id]


def grantable_roles(principal: Principal) -> dict[str, Role]:
    """The roles the caller may give: restricted ones only with users:manage-any."""
    any_agency = principal.has("users:manage-any")
    return {k: r for k, r in catalogue().roles.items() if any_agency or not r.restricted}


def choices(session: Session, doctrine: Doctrine, principal: Principal) -> dict[str, Any]:
    """What the forms offer and what the tables need to name things."""
    mine = agencies(doctrine, principal)
    ids = {a.id for a in mine}
    every_unit = units.listing(session)
    return {
        "agencies": mine,
        "agency_names": {a.id: a.name for a in doctrine.of_kind("agency")},
        "units": [u for u in every_unit if u.agency_id in ids],
        "unit_names": {u.id: u for u in every_unit},
        "roles": grantable_roles(principal),
        "all_roles": catalogue().roles,
        "clearances": [c for c in scheme().classifications if c.rank <= principal.clearance],
        "scheme": scheme(),
    }


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def users_page(
    request: Request,
    session: Session,
    doctrine: Doctrine,
    ctx: Context,
    error: QalxanError | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    principal = administrator(ctx)
    context = {
        "users": accounts.listing(ctx),
        "error": error,
        "values": values or {},
        **choices(session, doctrine, principal),
    }
    status = STATUS[type(error)] if error is not None else 200
    return render(request, "admin/users.html", context, status=status)


@router.get("/users", response_class=HTMLResponse)
def users_index(
    request: Request, session: SessionDep, doctrine: DoctrineDep, ctx: PageCtxDep
) -> HTMLResponse:
    return users_page(request, session, doctrine, ctx)


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    session: SessionDep,
    doctrine: DoctrineDep,
    ctx: PageCtxDep,
    form: PageFormDep,
) -> HTMLResponse:
    administrator(ctx)
    values: dict[str, Any] = {
        "username": form.text("username", 64),
        "display_name": form.text("display_name", 200),
        "email": form.text("email", 254),
        "agency_id": form.text("agency_id", 80),
        "unit_id": form.optional("unit_id", 32),
        "roles": form.many("roles"),
        "clearance": form.text("clearance", 32) or "unclassified",
    }
    try:
        user, one_time = accounts.create(
            ctx,
            doctrine,
            username=values["username"],
            display_name=values["display_name"],
            agency_id=values["agency_id"],
            roles=values["roles"],
            clearance=values["clearance"],
            unit_id=values["unit_id"],
            email=form.email(),
        )
    except FORM_ERRORS as exc:
        return users_page(request, session, doctrine, ctx, exc, values)
    return user_page(request, session, doctrine, ctx, user, one_time=one_time, status=201)


def user_page(
    request: Request,
    session: Session,
    doctrine: Doctrine,
    ctx: Context,
    user: UserRow,
    *,
    one_time: str | None = None,
    error: QalxanError | None = None,
    status: int = 200,
) -> HTMLResponse:
    principal = administrator(ctx)
    settings = request.app.state.settings
    context = {
        "user": user,
        "one_time": one_time,
        "error": error,
        "done": request.query_params.get("done"),
        "forgiven": request.query_params.get("forgiven"),
        "locked_for": throttle.locked_for(session, user.username, None, login_limits(settings)),
        "is_self": user.id == principal.user_id,
        **choices(session, doctrine, principal),
        "user_units": units.listing(session, user.agency_id),
    }
    response = render(request, "admin/user.html", context, status=status)
    if one_time is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_detail(
    request: Request, session: SessionDep, doctrine: DoctrineDep, ctx: PageCtxDep, user_id: str
) -> HTMLResponse:
    administrator(ctx)
    return user_page(request, session, doctrine, ctx, accounts.get_managed(ctx, user_id))


def changes(principal: Principal, user: UserRow, form: Form) -> accounts.Changes:
    """What the edit form changes; untouched fields stay ``None`` so that the core skips them.

    Roles the caller may not give are shown but not offered; the user keeps them (and the core
    refuses any change to the roles of such a user by such a caller).
    """
    grantable = grantable_roles(principal)
    roles = sorted(set(form.many("roles")) | {r for r in user.roles if r not in grantable})
    if not roles:
        raise InvalidInput("roles: at least one role is required", field="roles")
    clearance = form.text("clearance", 32)
    unit_id = form.text("unit_id", 32)
    disabled = form.flag("disabled")
    display_name = form.text("display_name", 200)
    email = form.email()
    return accounts.Changes(
        display_name=display_name if display_name != user.display_name else None,
        email=(email or "") if email != user.email else None,
        unit_id=unit_id if unit_id != (user.unit_id or "") else None,
        roles=roles if roles != sorted(user.roles) else None,
        clearance=clearance if clearance != scheme().by_rank(user.clearance).code else None,
        disabled=disabled if disabled != user.disabled else None,
    )


@router.post("/users/{user_id}", response_class=HTMLResponse)
def update_user(
    request: Request,
    session: SessionDep,
    doctrine: DoctrineDep,
    ctx: PageCtxDep,
    form: PageFormDep,
    user_id: str,
) -> Response:
    principal = administrator(ctx)
    user = accounts.get_managed(ctx, user_id)
    try:
        accounts.update_user(ctx, user_id, changes(principal, user, form))
    except FORM_ERRORS as exc:
        return user_page(request, session, doctrine, ctx, user, error=exc, status=STATUS[type(exc)])
    return see_other(f"/admin/users/{user_id}?done=saved")


@router.post("/users/{user_id}/reset-password", response_class=HTMLResponse)
def reset_password(
    request: Request,
    session: SessionDep,
    doctrine: DoctrineDep,
    ctx: PageCtxDep,
    form: PageFormDep,
    user_id: str,
) -> HTMLResponse:
    del form  # checked for its CSRF token
    administrator(ctx)
    one_time = accounts.reset_password(ctx, user_id)
    user = accounts.get_managed(ctx, user_id)
    return user_page(request, session, doctrine, ctx, user, one_time=one_time)


@router.post("/users/{user_id}/unlock")
def unlock(ctx: PageCtxDep, form: PageFormDep, user_id: str) -> Response:
    del form  # checked for its CSRF token
    administrator(ctx)
    forgiven = accounts.unlock(ctx, user_id)
    return see_other(f"/admin/users/{user_id}?done=unlocked&forgiven={forgiven}")


def units_page(
    request: Request,
    session: Session,
    doctrine: Doctrine,
    ctx: Context,
    error: QalxanError | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    principal = administrator(ctx)
    context = {
        "error": error,
        "values": values or {},
        "functions": sorted(units.FUNCTIONS),
        "done": request.query_params.get("done"),
        **choices(session, doctrine, principal),
    }
    status = STATUS[type(error)] if error is not None else 200
    return render(request, "admin/units.html", context, status=status)


@router.get("/units", response_class=HTMLResponse)
def units_index(
    request: Request, session: SessionDep, doctrine: DoctrineDep, ctx: PageCtxDep
) -> HTMLResponse:
    return units_page(request, session, doctrine, ctx)


@router.post("/units", response_class=HTMLResponse)
def create_unit(
    request: Request,
    session: SessionDep,
    doctrine: DoctrineDep,
    ctx: PageCtxDep,
    form: PageFormDep,
) -> Response:
    administrator(ctx)
    values: dict[str, Any] = {
        "agency_id": form.text("agency_id", 80),
        "name": form.text("name", 200),
        "name_az": form.optional("name_az", 200),
        "parent_id": form.optional("parent_id", 32),
        "functions": form.many("functions"),
    }
    try:
        unit = units.create(
            ctx,
            doctrine,
            values["agency_id"],
            values["name"],
            values["name_az"],
            values["parent_id"],
            values["functions"],
        )
    except FORM_ERRORS as exc:
        return units_page(request, session, doctrine, ctx, exc, values)
    return see_other(f"/admin/units?done=created#unit-{unit.id}")
