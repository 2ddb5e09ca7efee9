"""Account and unit administration: ``/api/v1/users`` and ``/api/v1/units``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, EmailStr, Field

from qalxan.access import accounts, units
from qalxan.access.tables import UnitRow
from qalxan.web.deps import CtxDep, DoctrineDep, SessionDep
from qalxan.web.routers.auth_api import user_out

router = APIRouter(tags=["administration"])
Name = Annotated[str, Field(min_length=1, max_length=200)]
AgencyQuery = Annotated[str | None, Query(max_length=80)]


class UserIn(BaseModel):
    username: Annotated[str, Field(min_length=3, max_length=64)]
    display_name: Name
    agency_id: Annotated[str, Field(max_length=80)]
    unit_id: Annotated[str | None, Field(max_length=32)] = None
    roles: Annotated[list[str], Field(min_length=1, max_length=20)]
    clearance: Annotated[str, Field(max_length=32)] = "unclassified"
    email: EmailStr | None = None


class UserChanges(BaseModel):
    display_name: Name | None = None
    email: EmailStr | None = None
    unit_id: Annotated[str | None, Field(max_length=32)] = None
    roles: Annotated[list[str] | None, Field(min_length=1, max_length=20)] = None
    clearance: Annotated[str | None, Field(max_length=32)] = None
    disabled: bool | None = None


class UnitIn(BaseModel):
    agency_id: Annotated[str, Field(max_length=80)]
    name: Name
    name_az: Name | None = None
    parent_id: Annotated[str | None, Field(max_length=32)] = None
    functions: Annotated[list[str], Field(max_length=10)] = []


def unit_out(unit: UnitRow) -> dict[str, Any]:
    return {
        "id": unit.id,
        "agency_id": unit.agency_id,
        "name": unit.name,
        "name_az": unit.name_az,
        "parent_id": unit.parent_id,
        "functions": list(unit.functions),
        "disabled": unit.disabled,
    }


@router.get("/users", summary="Accounts the caller administers")
def list_users(ctx: CtxDep, agency_id: AgencyQuery = None) -> list[dict[str, Any]]:
    return [user_out(u) for u in accounts.listing(ctx, agency_id)]


@router.post("/users", status_code=201, summary="Create an account with a one-time password")
def create_user(ctx: CtxDep, doctrine: DoctrineDep, body: UserIn) -> dict[str, Any]:
    user, one_time = accounts.create(
        ctx,
        doctrine,
        username=body.username,
        display_name=body.display_name,
        agency_id=body.agency_id,
        unit_id=body.unit_id,
        roles=body.roles,
        clearance=body.clearance,
        email=body.email,
    )
    return {**user_out(user), "one_time_password": one_time}


@router.get("/users/{user_id}", summary="One account the caller administers")
def get_user(ctx: CtxDep, user_id: str) -> dict[str, Any]:
    return user_out(accounts.get_managed(ctx, user_id))


@router.patch("/users/{user_id}", summary="Change roles, clearance, unit, or disable")
def update_user(ctx: CtxDep, user_id: str, body: UserChanges) -> dict[str, Any]:
    changes = accounts.Changes(**body.model_dump(exclude_unset=True))
    return user_out(accounts.update_user(ctx, user_id, changes))


@router.post("/users/{user_id}/reset-password", summary="Issue a new one-time password")
def reset_password(ctx: CtxDep, user_id: str) -> dict[str, Any]:
    return {"one_time_password": accounts.reset_password(ctx, user_id)}


@router.post("/users/{user_id}/unlock", summary="Forgive recent failed logins")
def unlock(ctx: CtxDep, user_id: str) -> dict[str, Any]:
    return {"forgiven": accounts.unlock(ctx, user_id)}


@router.get("/units", summary="Units, of one agency or all")
def list_units(
    session: SessionDep, ctx: CtxDep, agency_id: AgencyQuery = None
) -> list[dict[str, Any]]:
    del ctx  # any signed-in user may see the unit structure (it is needed for every form)
    return [unit_out(u) for u in units.listing(session, agency_id)]


@router.post("/units", status_code=201, summary="Create a unit inside an agency")
def create_unit(ctx: CtxDep, doctrine: DoctrineDep, body: UnitIn) -> dict[str, Any]:
    unit = units.create(
        ctx, doctrine, body.agency_id, body.name, body.name_az, body.parent_id, body.functions
    )
    return unit_out(unit)


@router.get("/units/{unit_id}", summary="One unit")
def get_unit(session: SessionDep, ctx: CtxDep, unit_id: str) -> dict[str, Any]:
    del ctx
    return unit_out(units.get(session, unit_id))
