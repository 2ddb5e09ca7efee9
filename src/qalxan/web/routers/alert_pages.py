"""The warning desk's pages: the warnings in force (and the others by state), the approval
queue, and one warning with its workflow history, its CAP document, its map and the steps the
viewer may take (submit, approve, reject, issue, update, cancel).

Every read and step goes through :mod:`qalxan.alerts.desk`, which checks the policy and the
four-eyes rule and audits it; the page only offers what the viewer's roles allow, and shows
the core's refusal next to the form it came from. The authoring forms are
:mod:`qalxan.web.routers.alert_form_pages`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from qalxan.access import accounts, policy
from qalxan.access.markings import scheme
from qalxan.alerts import desk as alerts
from qalxan.alerts import publish
from qalxan.alerts.rows import (
    APPROVED,
    AUTHORED,
    DRAFT,
    EDITABLE,
    ISSUED,
    RECORD_TYPE,
    REJECTED,
    STATES,
    SUBMITTED,
    WAS_ISSUED,
    WRITING_STEPS,
    actor_of,
)
from qalxan.alerts.tables import AlertRow
from qalxan.errors import InvalidInput, QalxanError
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from qalxan.web.alert_map import alert_map
from qalxan.web.deps import SettingsDep
from qalxan.web.errors import status_of
from qalxan.web.forms import PageFormDep
from qalxan.web.routers import alert_form_pages
from qalxan.web.routers.alert_form_pages import FORM_ERRORS, AlertId, cap_labels
from qalxan.web.routers.incident_pages import Desk, DeskDep, echo, see_other

router = APIRouter(include_in_schema=False)
# The forms' routes first: /alerts/new is not an alert called "new".
router.include_router(alert_form_pages.router)
PAGE = 100
FILTERS = (alerts.ACTIVE, *STATES)
MAX_NOTE = 2000
StepName = Annotated[str, Path(pattern="^(submit|approve|reject|issue|cancel)$")]


def labels(desk: Desk) -> dict[str, Any]:
    """What every warning page shows: CAP codes in the page's language, colleagues' names."""
    names = {c.id: c.display_name for c in accounts.colleagues(desk.ctx)}
    return {"cap": cap_labels(desk), "names": names, "feed": publish.FEED_PATH}


def may(desk: Desk, row: AlertRow, action: str) -> bool:
    """Whether the policy lets the viewer take ``action`` on this alert."""
    if not policy.may_use(desk.principal, RECORD_TYPE, action):
        return False
    with session_factory(desk.ctx.trail.engine)() as session:
        facts = policy.facts_of(session, desk.principal, row)
    return policy.decide(desk.principal, action, facts).allowed


@router.get("/alerts", response_class=HTMLResponse)
def listing(desk: DeskDep, state: Annotated[str, Query(max_length=16)] = "") -> HTMLResponse:
    chosen = state or alerts.ACTIVE
    error: InvalidInput | None = None
    rows: list[AlertRow] = []
    try:
        rows = alerts.listing(desk.ctx, alerts.Query(chosen, PAGE))
    except InvalidInput as exc:
        error = exc
    context = {
        **labels(desk),
        "rows": rows,
        "state": chosen,
        "filters": FILTERS,
        "error": error,
        "may_create": policy.may_use(desk.principal, RECORD_TYPE, "create"),
        "may_approve": policy.may_use(desk.principal, RECORD_TYPE, "approve"),
    }
    return desk.show("alerts/list.html", context, 422 if error else 200)


@router.get("/alerts/queue", response_class=HTMLResponse)
def queue(desk: DeskDep) -> HTMLResponse:
    """Submitted drafts awaiting a second person, and approved ones awaiting issue."""
    policy.require(desk.principal, RECORD_TYPE, "approve")
    context = {
        **labels(desk),
        "waiting": alerts.listing(desk.ctx, alerts.Query(SUBMITTED, PAGE)),
        "approved": alerts.listing(desk.ctx, alerts.Query(APPROVED, PAGE)),
        "me": actor_of(desk.principal),
    }
    return desk.show("alerts/queue.html", context)


def alert_page(
    desk: Desk,
    settings: Settings,
    alert_id: str,
    *,
    error: QalxanError | None = None,
    where: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """One alert; ``error`` is shown beside the form ``where`` it came from."""
    row, steps = alerts.steps(desk.ctx, alert_id)
    alert = alerts.stored_alert(row)
    me = actor_of(desk.principal)
    wrote = any(s.step in WRITING_STEPS and s.actor == me for s in steps)
    authored = row.origin == AUTHORED
    update, approve = may(desk, row, "update"), may(desk, row, "approve")
    create = policy.may_use(desk.principal, RECORD_TYPE, "create")
    public_url = None
    if authored and row.scope == "Public" and row.state in WAS_ISSUED:
        base = publish.public_base(settings, str(desk.request.base_url))
        public_url = base + publish.cap_path(row.sender, row.identifier)
    can = {
        "edit": authored and update and row.state in EDITABLE,
        "submit": authored and update and row.state in (DRAFT, REJECTED),
        "approve": approve and row.state == SUBMITTED and not wrote,
        "four_eyes": approve and row.state == SUBMITTED and wrote,
        "reject": approve and row.state in (SUBMITTED, APPROVED),
        "issue": update and row.state == APPROVED,
        "follow_up": authored and update and create and row.state == ISSUED,
    }
    context = {
        **labels(desk),
        "row": row,
        "alert": alert,
        "steps": steps,
        "digest": alerts.digest(row),
        "area": alert_map(alert),
        "can": can,
        "public_url": public_url,
        "active": alerts.is_active(row),
        "classification": scheme().by_rank(row.classification),
        "error": error,
        "where": where,
        "values": values or {},
    }
    status = status_of(error) if error is not None else 200
    return desk.show("alerts/alert.html", context, status)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert(desk: DeskDep, settings: SettingsDep, alert_id: AlertId) -> HTMLResponse:
    return alert_page(desk, settings, alert_id)


Step = Callable[[Desk, Settings, str, dict[str, str]], AlertRow]
STEPS: dict[str, tuple[dict[str, int], Step]] = {
    "submit": (
        {"note": MAX_NOTE},
        lambda d, s, i, v: alerts.submit(d.ctx, i, v["note"] or None),
    ),
    "approve": ({"seen": 64}, lambda d, s, i, v: alerts.approve(d.ctx, i, v["seen"] or None)),
    "reject": ({"reason": MAX_NOTE}, lambda d, s, i, v: alerts.reject(d.ctx, i, v["reason"])),
    "issue": ({}, lambda d, s, i, v: alerts.issue(d.ctx, s, i)),
    "cancel": ({"note": MAX_NOTE}, lambda d, s, i, v: alerts.cancel(d.ctx, s, i, v["note"])),
}
DONE = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "issue": "issued",
    "cancel": "cancel",
}


@router.post("/alerts/{alert_id}/{step}", response_class=HTMLResponse)
def take_step(
    desk: DeskDep, settings: SettingsDep, form: PageFormDep, alert_id: AlertId, step: StepName
) -> Response:
    """A workflow step from the alert's page; a cancellation is a new draft, shown next."""
    sizes, call = STEPS[step]
    values = echo(form, sizes)
    try:
        typed = {name: form.text(name, size) for name, size in sizes.items()}
        row = call(desk, settings, alert_id, typed)
    except FORM_ERRORS as exc:
        return alert_page(desk, settings, alert_id, error=exc, where=step, values=values)
    return see_other(f"/alerts/{row.id}?done={DONE[step]}")
