"""Operators of information infrastructure subscribed to the CERT's notifications: the list,
a new subscription (operator, sectors, channel and address, the most restrictive TLP it may
receive) and its deactivation.

Everything goes through :mod:`qalxan.cti.subscriptions`: only members of the CERT's agency
with ``cti`` permissions keep the list (anyone else gets 403), every read and change is
audited, and a subscription is deactivated, never deleted.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from qalxan.access.markings import scheme
from qalxan.cti import sectors, subscriptions
from qalxan.errors import QalxanError
from qalxan.web import cti_shown
from qalxan.web.errors import status_of
from qalxan.web.forms import PageFormDep
from qalxan.web.routers.incident_pages import FORM_ERRORS, Desk, DeskDep, echo, fields, see_other

router = APIRouter(include_in_schema=False)
SubscriptionId = Annotated[str, Path(min_length=1, max_length=64)]
FIELDS = {"operator": 200, "channel": 16, "address": 2000, "max_tlp": 20}


def subscriptions_page(
    desk: Desk,
    *,
    error: QalxanError | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    rows = subscriptions.listing(desk.ctx, active_only=False)
    context = {
        "rows": sorted(rows, key=lambda r: (not r.active, r.operator.lower(), r.id)),
        "sectors": sectors.sectors().sectors,
        "sector_names": {s.id: s.name for s in sectors.sectors().sectors},
        "channels": subscriptions.SUBSCRIBER_CHANNELS,
        # TLP:RED is for named people: it never goes to an outbox.
        "max_tlps": [t for t in scheme().tlp if t.reach != "named"],
        "error": error,
        "values": values or {"max_tlp": "GREEN", "channel": "email", "sectors": []},
    }
    status = status_of(error) if error is not None else 200
    return cti_shown.show(desk, "cti/subscriptions.html", context, status)


@router.get("/cti/subscriptions", response_class=HTMLResponse)
def listing(desk: DeskDep) -> HTMLResponse:
    return subscriptions_page(desk)


@router.post("/cti/subscriptions", response_class=HTMLResponse)
def subscribe(desk: DeskDep, form: PageFormDep) -> Response:
    values: dict[str, Any] = {**echo(form, FIELDS), "sectors": form.many("sectors")}
    try:
        typed = fields(form, FIELDS)
        draft = subscriptions.Draft(
            typed["operator"],
            tuple(values["sectors"]),
            typed["channel"],
            typed["address"],
            typed["max_tlp"] or "GREEN",
        )
        row = subscriptions.create(desk.ctx, draft)
    except FORM_ERRORS as exc:
        return subscriptions_page(desk, error=exc, values=values)
    return see_other(f"/cti/subscriptions?done=subscribed#subscription-{row.id}")


@router.post("/cti/subscriptions/{subscription_id}/deactivate")
def deactivate(desk: DeskDep, form: PageFormDep, subscription_id: SubscriptionId) -> Response:
    del form  # checked for its CSRF token
    subscriptions.deactivate(desk.ctx, subscription_id)
    return see_other(f"/cti/subscriptions?done=deactivated#subscription-{subscription_id}")
