"""Inter-agency bulletins: ``/api/v1/bulletins``. Every route needs a signed-in caller.

A bulletin the caller may not see answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from qalxan.access import sharing
from qalxan.access.markings import scheme
from qalxan.access.sessions import aware
from qalxan.access.tables import ShareRow
from qalxan.bulletins import listing, service
from qalxan.bulletins.tables import BulletinRow
from qalxan.web.deps import CtxDep, DoctrineDep

router = APIRouter(prefix="/bulletins", tags=["bulletins"])

BulletinId = Annotated[str, Path(min_length=1, max_length=64)]
Text = Annotated[str | None, Query(max_length=listing.MAX_QUERY, description="Words to find")]
Target = Annotated[str, Field(min_length=1, max_length=80)]


class BulletinIn(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=service.MAX_TITLE)]
    body: Annotated[str, Field(min_length=1, max_length=service.MAX_BODY)]
    classification: Annotated[str, Field(min_length=1, max_length=40, examples=["restricted"])]
    tlp: Annotated[str | None, Field(max_length=20, examples=["AMBER"])] = None
    owner_unit: Annotated[str | None, Field(max_length=32)] = None


class BulletinPatch(BaseModel):
    title: Annotated[str | None, Field(min_length=1, max_length=service.MAX_TITLE)] = None
    body: Annotated[str | None, Field(min_length=1, max_length=service.MAX_BODY)] = None
    classification: Annotated[str | None, Field(min_length=1, max_length=40)] = None
    tlp: Annotated[str | None, Field(max_length=20, description="null removes the marking")] = None


class ShareIn(BaseModel):
    agency_ids: Annotated[list[Target], Field(max_length=sharing.MAX_TARGETS)] = []
    user_ids: Annotated[list[Target], Field(max_length=sharing.MAX_TARGETS)] = []
    reason: Annotated[str, Field(min_length=1, max_length=sharing.MAX_REASON)]


def bulletin_out(row: BulletinRow) -> dict[str, Any]:
    level = scheme().by_rank(row.classification)
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "classification": level.code,
        "banner": level.banner,
        "tlp": row.tlp,
        "owner_agency": row.owner_agency,
        "owner_unit": row.owner_unit,
        "author_id": row.author_id,
        # SQLite hands back naive UTC times: say UTC on every backend alike.
        "created_at": aware(row.created_at),
        "updated_at": aware(row.updated_at),
    }


def share_out(share: ShareRow) -> dict[str, Any]:
    return {
        "id": share.id,
        "agency_id": share.agency_id,
        "user_id": share.user_id,
        "reason": share.reason,
        "granted_by": share.granted_by,
        "granted_at": aware(share.granted_at),
        "revoked_at": share.revoked_at and aware(share.revoked_at),
    }


@router.get("", summary="Bulletins the caller may read, newest first (optionally matching q)")
def list_bulletins(
    ctx: CtxDep,
    q: Text = None,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=listing.MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    rows = listing.listing(ctx, listing.Query(q, limit, offset))
    return {"results": [bulletin_out(r) for r in rows], "limit": limit, "offset": offset}


@router.get("/count", summary="How many bulletins the caller may read (matching q)")
def count_bulletins(ctx: CtxDep, q: Text = None) -> dict[str, int]:
    return {"count": listing.count(ctx, q)}


@router.get("/export", summary="The bulletins the caller may read (matching q) as CSV")
def export_bulletins(ctx: CtxDep, q: Text = None) -> Response:
    return Response(
        listing.export(ctx, q),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="bulletins.csv"'},
    )


@router.post("", status_code=201, summary="Write a bulletin for one's own agency")
def create_bulletin(ctx: CtxDep, body: BulletinIn) -> dict[str, Any]:
    draft = service.Draft(body.title, body.body, body.classification, body.tlp, body.owner_unit)
    return bulletin_out(service.create(ctx, draft))


@router.get("/{bulletin_id}", summary="One bulletin (the read is audited)")
def get_bulletin(ctx: CtxDep, bulletin_id: BulletinId) -> dict[str, Any]:
    return bulletin_out(service.get(ctx, bulletin_id))


@router.patch("/{bulletin_id}", summary="Change a bulletin of one's own agency")
def update_bulletin(ctx: CtxDep, bulletin_id: BulletinId, body: BulletinPatch) -> dict[str, Any]:
    changes = service.Changes(
        title=body.title,
        body=body.body,
        classification=body.classification,
        tlp=body.tlp if "tlp" in body.model_fields_set else service.KEEP,
    )
    return bulletin_out(service.update(ctx, bulletin_id, changes))


@router.get("/{bulletin_id}/shares", summary="The bulletin's active shares (for its sharers)")
def list_shares(ctx: CtxDep, bulletin_id: BulletinId) -> dict[str, Any]:
    shares = sharing.shares_of(ctx, BulletinRow, bulletin_id)
    return {"shares": [share_out(s) for s in shares]}


@router.post("/{bulletin_id}/shares", summary="Share the bulletin with agencies or named users")
def share_bulletin(
    ctx: CtxDep, doctrine: DoctrineDep, bulletin_id: BulletinId, body: ShareIn
) -> dict[str, Any]:
    shares = sharing.share(
        ctx,
        doctrine,
        BulletinRow,
        bulletin_id,
        agency_ids=body.agency_ids,
        user_ids=body.user_ids,
        reason=body.reason,
    )
    return {"shares": [share_out(s) for s in shares]}


@router.delete("/{bulletin_id}/shares/{share_id}", summary="Revoke a share (it is kept, ended)")
def revoke_share(
    ctx: CtxDep, bulletin_id: BulletinId, share_id: Annotated[int, Path(ge=1, le=2**62)]
) -> dict[str, Any]:
    return share_out(sharing.revoke(ctx, BulletinRow, bulletin_id, share_id))
