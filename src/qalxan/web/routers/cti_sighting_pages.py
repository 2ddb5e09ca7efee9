"""Recent sightings, newest first: what was sighted (an indicator, mostly), when and how
often, by whom (the reporting agency), and the incident it was seen in.

The sightings are a search of ``sighting`` objects (:func:`qalxan.cti.objects.search`); what
they name is read at once with :func:`qalxan.cti.objects.newest` (one audited read), so an
indicator or identity the reader may not see is shown by its id only, never by its content.
The reporting agencies of Qalxan's own sightings are named from the doctrine (their identity
ids derive from the agency ids).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from qalxan.cti import objects
from qalxan.web import cti_shown
from qalxan.web.routers.incident_pages import DeskDep

router = APIRouter(include_in_schema=False)
PAGE = 50


@router.get("/cti/sightings", response_class=HTMLResponse)
def recent(
    desk: DeskDep, offset: Annotated[int, Query(ge=0, le=objects.MAX_OFFSET)] = 0
) -> HTMLResponse:
    query = objects.Query(types=("sighting",), revoked=None, limit=PAGE, offset=offset)
    found = objects.search(desk.ctx, query)
    bodies = [(row, objects.body(row)) for row in found.rows]
    by_identity = cti_shown.agencies_by_identity(desk.doctrine)
    wanted = [str(b["sighting_of_ref"]) for _, b in bodies if b.get("sighting_of_ref")]
    wanted += [
        str(ref)
        for _, body in bodies
        for ref in body.get("where_sighted_refs") or []
        if ref not in by_identity
    ]
    context = {
        "sightings": bodies,
        "named": objects.newest(desk.ctx, wanted) if wanted else {},
        "agency_of_identity": by_identity,
        "incident_of": cti_shown.incident_of,
        "next_url": f"?offset={offset + PAGE}" if found.more else None,
        "first_url": "?" if offset else None,
    }
    return cti_shown.show(desk, "cti/sightings.html", context)
