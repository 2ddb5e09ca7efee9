"""The CERT's TAXII collections: the ones the reader may use with how many object versions
each holds and its TAXII address, a new collection, and the rights an owning agency grants
to other agencies and partner organisations.

Everything goes through :mod:`qalxan.cti.collections`, which checks ``cti`` permissions (create:
``cti:create``; grant and revoke: ``cti:share`` in the owning agency) and audits every read and
change; a collection the reader has no right to is not listed, and answers 404, also to a
grant (the core answers it as a missing one); one they see but may not manage answers 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from qalxan.access import policy
from qalxan.cti import attack, collections
from qalxan.errors import QalxanError
from qalxan.web import cti_shown
from qalxan.web.errors import status_of
from qalxan.web.forms import PageFormDep
from qalxan.web.routers.incident_pages import FORM_ERRORS, Desk, DeskDep, echo, fields, see_other

router = APIRouter(include_in_schema=False)
CollectionId = Annotated[str, Path(min_length=1, max_length=64)]
COLLECTION_FIELDS = {"title": 200, "alias": 80, "api_root": 64, "description": 2000}


def collections_page(
    desk: Desk,
    *,
    error: QalxanError | None = None,
    where: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The collections the reader may use; ``error`` shows beside the form ``where`` it came
    from (``create``, or ``grant-<id>``)."""
    principal = desk.principal
    found = collections.listing(desk.ctx)
    base = str(desk.request.base_url)
    share = principal.scope("cti", "share")
    context = {
        "collections": found,
        "taxii_urls": {
            d.row.id: f"{base}taxii2/{d.row.api_root}/collections/{d.row.id}/" for d in found
        },
        "may_share": {
            d.row.id: share == "any"
            or (share == "agency" and d.row.owner_agency == principal.agency_id)
            for d in found
        },
        "may_create": policy.may_use(principal, "cti", "create"),
        "grantees": desk.doctrine.of_kind("agency") + desk.doctrine.of_kind("organisation"),
        "item_names": {i.id: i.name for i in desk.doctrine.items.values()},
        "error": error,
        "where": where,
        "values": values or {"api_root": attack.API_ROOT},
    }
    status = status_of(error) if error is not None else 200
    return cti_shown.show(desk, "cti/collections.html", context, status)


@router.get("/cti/collections", response_class=HTMLResponse)
def listing(desk: DeskDep) -> HTMLResponse:
    return collections_page(desk)


@router.post("/cti/collections", response_class=HTMLResponse)
def create(desk: DeskDep, form: PageFormDep) -> Response:
    values = echo(form, COLLECTION_FIELDS)
    try:
        typed = fields(form, COLLECTION_FIELDS)
        row = collections.create(
            desk.ctx,
            api_root=typed["api_root"],
            title=typed["title"],
            description=typed["description"] or None,
            alias=typed["alias"] or None,
        )
    except FORM_ERRORS as exc:
        return collections_page(desk, error=exc, where="create", values=values)
    return see_other(f"/cti/collections?done=created#collection-{row.id}")


@router.post("/cti/collections/{collection_id}/rights", response_class=HTMLResponse)
def grant(desk: DeskDep, form: PageFormDep, collection_id: CollectionId) -> Response:
    """Set what an agency or organisation may do with the collection; neither right revokes."""
    read, write = form.flag("read"), form.flag("write")
    try:
        grantee = form.text("grantee", 80)
        collections.grant(desk.ctx, desk.doctrine, collection_id, grantee, read=read, write=write)
    except FORM_ERRORS as exc:
        values = {"grantee": str(form.data.get("grantee") or "")[:80]}
        return collections_page(desk, error=exc, where=f"grant-{collection_id}", values=values)
    done = "granted" if read or write else "revoked"
    return see_other(f"/cti/collections?done={done}#collection-{collection_id}")
