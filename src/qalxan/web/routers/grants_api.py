"""Inquiry grants: ``/api/v1/oversight/grants``, made by platform administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from qalxan.access import grants
from qalxan.access.sessions import aware
from qalxan.access.tables import GrantRow
from qalxan.web.deps import CtxDep, DoctrineDep

router = APIRouter(prefix="/oversight/grants", tags=["oversight"])


class GrantIn(BaseModel):
    user_id: Annotated[str, Field(min_length=1, max_length=32)]
    record_type: Annotated[str, Field(min_length=1, max_length=32, examples=["bulletin"])]
    record_id: Annotated[str | None, Field(min_length=1, max_length=32)] = None
    agency_id: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    inquiry: Annotated[
        str,
        Field(
            min_length=1,
            max_length=grants.MAX_INQUIRY,
            description="The inquiry's reference and legal basis",
        ),
    ]
    expires_at: datetime


def grant_out(grant: GrantRow) -> dict[str, Any]:
    return {
        "id": grant.id,
        "user_id": grant.user_id,
        "record_type": grant.record_type,
        "record_id": grant.record_id,
        "agency_id": grant.agency_id,
        "inquiry": grant.inquiry,
        "granted_by": grant.granted_by,
        "granted_at": aware(grant.granted_at),
        "expires_at": aware(grant.expires_at),
        "revoked_at": grant.revoked_at and aware(grant.revoked_at),
        "active": grants.is_active(grant),
    }


@router.get("", summary="Every grant (administrators) or one's own (oversight users)")
def list_grants(ctx: CtxDep) -> dict[str, Any]:
    return {"grants": [grant_out(g) for g in grants.listing(ctx)]}


@router.post("", status_code=201, summary="Grant an oversight user access for an inquiry")
def create_grant(ctx: CtxDep, doctrine: DoctrineDep, body: GrantIn) -> dict[str, Any]:
    grant = grants.create(
        ctx,
        doctrine,
        user_id=body.user_id,
        record_type=body.record_type,
        record_id=body.record_id,
        agency_id=body.agency_id,
        inquiry=body.inquiry,
        expires_at=body.expires_at,
    )
    return grant_out(grant)


@router.delete("/{grant_id}", summary="Revoke a grant (it is kept, ended)")
def revoke_grant(
    ctx: CtxDep, grant_id: Annotated[str, Path(min_length=1, max_length=32)]
) -> dict[str, Any]:
    return grant_out(grants.revoke(ctx, grant_id))
