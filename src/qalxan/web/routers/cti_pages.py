"""The CERT's threat intelligence pages: the search of indicators and every other STIX object,
one object with its versions, relationships, sightings and markings, its JSON, and the export
of a bundle. The collections, subscriptions, sightings and import pages are in the modules
included here.

Every read goes through :mod:`qalxan.cti` (``objects``, ``related``, ``incident_links``,
``collections``, ``export``), which checks ``cti`` permissions and the reader's clearance and
TLP reach, and audits it; an object the reader may not see answers the same 404 as a missing
one, and the incidents linked to an object are only those the reader may read.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from qalxan.cti import collections, export, incident_links, objects, related, schemas
from qalxan.cti.tables import CtiObjectRow
from qalxan.errors import InvalidInput
from qalxan.web import cti_shown
from qalxan.web.routers import (
    cti_admin_pages,
    cti_import_pages,
    cti_sighting_pages,
    cti_subscription_pages,
)
from qalxan.web.routers.incident_pages import Desk, DeskDep

router = APIRouter(include_in_schema=False)
router.include_router(cti_admin_pages.router)
router.include_router(cti_import_pages.router)
router.include_router(cti_sighting_pages.router)
router.include_router(cti_subscription_pages.router)
RESULTS = 50
REVOKED = {"no": False, "yes": True, "any": None}
UNSAFE = re.compile(r"[^\w.-]+")
StixId = Annotated[str, Path(min_length=3, max_length=128, pattern=r"^[a-z0-9-]+--[\w-]+$")]
# Not "version": that query parameter names a doctrine version to every page (web.deps).
Modified = Annotated[str, Query(max_length=40)]


@dataclass(frozen=True)
class SearchForm:
    """The search's fields as typed (blank: not filtered)."""

    type: str = ""
    q: str = ""
    tlp: str = ""
    revoked: str = "no"
    collection: str = ""

    def query(self, offset: int) -> objects.Query:
        if self.revoked not in REVOKED:
            raise InvalidInput("revoked: one of no, yes, any", "revoked")
        return objects.Query(
            types=(self.type,) if self.type else (),
            text=self.q or None,
            tlp=(self.tlp,) if self.tlp else (),
            collection=self.collection or None,
            revoked=REVOKED[self.revoked],
            limit=RESULTS,
            offset=offset,
        )

    def url(self, **more: str | int) -> str:
        typed = {k: v for k, v in asdict(self).items() if v and (k, v) != ("revoked", "no")}
        return f"?{urlencode({**typed, **more})}"


def get_search_form(
    type: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=objects.MAX_TEXT)] = "",
    tlp: Annotated[str, Query(max_length=20)] = "",
    revoked: Annotated[str, Query(max_length=4)] = "no",
    collection: Annotated[str, Query(max_length=80)] = "",
) -> SearchForm:
    return SearchForm(
        type.strip(), q.strip(), tlp.strip(), revoked.strip() or "no", collection.strip()
    )


@router.get("/cti", response_class=HTMLResponse)
def search(
    desk: DeskDep,
    typed: Annotated[SearchForm, Depends(get_search_form)],
    offset: Annotated[int, Query(ge=0, le=objects.MAX_OFFSET)] = 0,
) -> HTMLResponse:
    error: InvalidInput | None = None
    found = objects.Page([], False)
    try:
        found = objects.search(desk.ctx, typed.query(offset))
    except InvalidInput as exc:
        error = exc
    exported = {k: v for k, v in (("type", typed.type), ("collection", typed.collection)) if v}
    context = {
        "typed": typed,
        "error": error,
        "rows": found.rows,
        "next_url": typed.url(offset=offset + RESULTS) if found.more else None,
        "first_url": typed.url() if offset else None,
        "type_names": sorted(schemas.type_names()),
        "readable": [c.row for c in collections.listing(desk.ctx) if c.rights.can_read],
        "export_url": f"/cti/export?{urlencode(exported)}" if exported else None,
    }
    return cti_shown.show(desk, "cti/search.html", context, 422 if error else 200)


@router.get("/cti/objects/{stix_id}.json")
def object_json(desk: DeskDep, stix_id: StixId, modified: Modified = "") -> Response:
    """The object (or one version of it) exactly as it was stored, to download."""
    row = shown_version(desk, stix_id, modified)
    disposition = f'attachment; filename="{stix_id}.json"'
    return Response(
        row.body, media_type="application/json", headers={"Content-Disposition": disposition}
    )


def shown_version(desk: Desk, stix_id: str, modified: str) -> CtiObjectRow:
    if modified:
        return objects.version(desk.ctx, stix_id, modified)
    return objects.get(desk.ctx, stix_id)


@router.get("/cti/objects/{stix_id}", response_class=HTMLResponse)
def object_page(desk: DeskDep, stix_id: StixId, modified: Modified = "") -> HTMLResponse:
    newest = objects.get(desk.ctx, stix_id)
    row = shown_version(desk, stix_id, modified) if modified else newest
    obj = objects.body(row)
    links = related.links(desk.ctx, stix_id)
    seen = [link for link in links.incoming if link.kind == "sighting"]
    ties = links.outgoing + [link for link in links.incoming if link.kind != "sighting"]
    sighting_bodies = {link.via.stix_id: objects.body(link.via) for link in seen}
    incidents = incident_links.of_object(desk.ctx, stix_id)
    pattern = obj.get("pattern") if isinstance(obj.get("pattern"), str) else None
    context = {
        "row": row,
        "newest": newest,
        "obj": obj,
        "versions": objects.versions(desk.ctx, stix_id),
        "pattern_tokens": (
            cti_shown.pattern_tokens(pattern)
            if pattern and obj.get("pattern_type", "stix") == "stix"
            else None
        ),
        "references": cti_shown.references(obj),
        "markings": [cti_shown.marking_of(str(r)) for r in obj.get("object_marking_refs") or []],
        "properties": cti_shown.properties(obj),
        "ties": ties,
        "seen": seen,
        "sighting_bodies": sighting_bodies,
        "others": links.objects,
        "agency_of_identity": cti_shown.agencies_by_identity(desk.doctrine),
        "incidents": incidents,
        # A Qalxan sighting's incident, from its link (so only one the reader may read).
        "incident_by_sighting": {i.row.sighting_id: i for i in incidents if i.row.sighting_id},
    }
    return cti_shown.show(desk, "cti/object.html", context)


@router.get("/cti/export")
def export_bundle(
    desk: DeskDep,
    type: Annotated[str, Query(max_length=64)] = "",
    collection: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    """A STIX 2.1 bundle of the newest versions the reader may read (of a type, of a
    collection), with the marking definitions they reference; needs ``cti:export``."""
    selection = export.Selection(types=(type,) if type else (), collection=collection or None)
    made = export.export(desk.ctx, selection)
    name = UNSAFE.sub("", "-".join(["qalxan-cti", *(v for v in (type, collection) if v)]))
    return Response(
        made.text,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )
