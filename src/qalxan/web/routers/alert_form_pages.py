"""The warning desk's authoring pages: a new warning, a draft edited, an update of an issued
warning written, and a CAP document pasted as a new draft.

Each form posts to its own page with a button: *Preview* checks the alert the form describes
exactly as saving would (:func:`qalxan.alerts.authoring.checked`) and redraws the map, storing
nothing; *Save* calls the desk (:mod:`qalxan.alerts.desk`), which checks it again, stores it
and audits it. Problems go back next to the fields they concern, with the form as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from qalxan.access import policy
from qalxan.alerts import desk as alerts
from qalxan.alerts.authoring import checked, to_alert
from qalxan.alerts.fields import format_references
from qalxan.alerts.rows import EDITABLE, ISSUED, RECORD_TYPE, cap_now, require_state
from qalxan.alerts.tables import AlertRow
from qalxan.alerts.vocabulary import load_vocabulary
from qalxan.alerts.write import write_alert
from qalxan.errors import Conflict, Forbidden, InvalidInput, QalxanError
from qalxan.settings import Settings
from qalxan.web.alert_fields import LANGUAGES, MAX_RESOURCES, Typed, alert_form, read
from qalxan.web.alert_map import typed_map
from qalxan.web.alert_prefill import Lossy, typed_of
from qalxan.web.alert_problems import problems_of
from qalxan.web.deps import SettingsDep
from qalxan.web.errors import status_of
from qalxan.web.forms import PageFormDep
from qalxan.web.maps import country_map
from qalxan.web.routers.incident_pages import Desk, DeskDep, see_other
from qalxan.web.templating import request_language

router = APIRouter(include_in_schema=False)
AlertId = Annotated[str, Path(min_length=1, max_length=64)]
FORM_ERRORS = (InvalidInput, Conflict, Forbidden)
MAX_XML = 500_000  # characters of a pasted CAP document
LISTS = ("status", "scope", "category", "responseType", "urgency", "severity", "certainty")


@dataclass(frozen=True)
class Mode:
    """Which form: ``new``, ``edit`` (``row``: the draft) or ``update`` (``row``: the issued
    alert the update will replace)."""

    kind: str
    action: str
    row: AlertRow | None = None

    @property
    def msg_type(self) -> str:
        if self.kind == "update":
            return "Update"
        return self.row.msg_type if self.row is not None else "Alert"


def cap_labels(desk: Desk) -> Callable[[str, str | None], str]:
    """The label of a CAP code (``cap('severity', 'Extreme')``) in the page's language."""
    lang = request_language(desk.request)
    vocabulary = load_vocabulary()

    def cap(name: str, code: str | None) -> str:
        return vocabulary.label(name, code, lang) if code else ""

    return cap


def blank() -> Typed:
    return Typed({"status": "Actual", "scope": "Public"})


def form_page(
    desk: Desk,
    mode: Mode,
    typed: Typed,
    *,
    error: QalxanError | None = None,
    where: str = "form",
    lossy: Lossy | None = None,
    preview: str | None = None,
    xml: str = "",
) -> HTMLResponse:
    lang = request_language(desk.request)
    vocabulary = load_vocabulary()
    districts = sorted(country_map().districts, key=lambda d: d.name(lang).casefold())
    context: dict[str, Any] = {
        "cap": cap_labels(desk),
        "mode": mode,
        "typed": typed,
        "problems": problems_of(error, typed.languages()) if error and where == "form" else None,
        "xml_error": error if where == "xml" else None,
        "xml": xml,
        "lossy": lossy,
        "preview": preview,
        "choices": {
            name: [(code, vocabulary.label(name, code, lang)) for code in vocabulary.codes(name)]
            for name in LISTS
        },
        "alert_languages": [(code, vocabulary.platform_languages[code]) for code in LANGUAGES],
        "districts": [(d.code, d.name(lang)) for d in districts],
        "area": typed_map(typed),
        "max_resources": MAX_RESOURCES,
    }
    status = status_of(error) if error is not None else 200
    return desk.show("alerts/form.html", context, status)


def previewed(desk: Desk, settings: Settings, mode: Mode, typed: Typed) -> HTMLResponse:
    """The form again with the CAP document it describes, or with what is wrong with it."""
    sent = cap_now(settings.timezone)
    identifier = f"{settings.alerts_sender}.{sent:%Y%m%d}.preview"
    references = None
    if mode.kind == "edit" and mode.row is not None:
        stored = alerts.stored_alert(mode.row)
        identifier, references = stored.identifier, stored.references
    elif mode.kind == "update" and mode.row is not None:
        earlier = alerts.stored_alert(mode.row)
        references = format_references((*earlier.reference_list(), earlier.key))
    try:
        form = alert_form(typed, desk.zone)
        alert = checked(
            to_alert(
                form,
                identifier=identifier,
                sender=settings.alerts_sender,
                sent=sent,
                msg_type=mode.msg_type,
                references=references,
            )
        )
    except FORM_ERRORS as exc:
        return form_page(desk, mode, typed, error=exc)
    return form_page(desk, mode, typed, preview=write_alert(alert).decode("utf-8"))


def saved(desk: Desk, settings: Settings, mode: Mode, typed: Typed, button: str) -> Response:
    if button == "preview":
        return previewed(desk, settings, mode, typed)
    try:
        form = alert_form(typed, desk.zone)
        if mode.kind == "new":
            row = alerts.create(desk.ctx, settings, form)
        elif mode.kind == "edit" and mode.row is not None:
            row = alerts.edit(desk.ctx, settings, mode.row.id, form)
        else:
            assert mode.row is not None
            row = alerts.update(desk.ctx, settings, mode.row.id, form)
    except FORM_ERRORS as exc:
        return form_page(desk, mode, typed, error=exc)
    return see_other(f"/alerts/{row.id}?done={'saved' if mode.kind == 'edit' else 'created'}")


@router.get("/alerts/new", response_class=HTMLResponse)
def new(desk: DeskDep) -> HTMLResponse:
    policy.require(desk.principal, RECORD_TYPE, "create")
    return form_page(desk, Mode("new", "/alerts/new"), blank())


@router.post("/alerts/new", response_class=HTMLResponse)
def create(desk: DeskDep, settings: SettingsDep, form: PageFormDep) -> Response:
    return saved(desk, settings, Mode("new", "/alerts/new"), read(form), form.text("button", 16))


@router.post("/alerts/new/xml", response_class=HTMLResponse)
def create_from_xml(desk: DeskDep, settings: SettingsDep, form: PageFormDep) -> Response:
    """A new draft with the content of a pasted CAP 1.2 document."""
    text = str(form.data.get("cap_xml") or "")
    mode = Mode("new", "/alerts/new")
    try:
        if not text.strip():
            raise InvalidInput("cap_xml: paste a CAP 1.2 document", field="cap_xml")
        if len(text) > MAX_XML:
            raise InvalidInput(f"cap_xml: at most {MAX_XML} characters", field="cap_xml")
        row = alerts.create_from_xml(desk.ctx, settings, text.encode("utf-8"))
    except FORM_ERRORS as exc:
        return form_page(desk, mode, blank(), error=exc, where="xml", xml=text[:MAX_XML])
    return see_other(f"/alerts/{row.id}?done=created")


def _editable(desk: Desk, alert_id: str) -> AlertRow:
    row = alerts.get(desk.ctx, alert_id)
    policy.require(desk.principal, RECORD_TYPE, "update")
    require_state(row, "an edit", *EDITABLE)
    return row


def _issued(desk: Desk, alert_id: str) -> AlertRow:
    row = alerts.get(desk.ctx, alert_id)
    policy.require(desk.principal, RECORD_TYPE, "create")
    require_state(row, "an update", ISSUED)
    return row


def _prefilled(desk: Desk, mode: Mode, row: AlertRow) -> HTMLResponse:
    typed, lossy = typed_of(alerts.form_of(alerts.stored_alert(row)), desk.zone)
    return form_page(desk, mode, typed, lossy=lossy)


@router.get("/alerts/{alert_id}/edit", response_class=HTMLResponse)
def edit(desk: DeskDep, alert_id: AlertId) -> HTMLResponse:
    row = _editable(desk, alert_id)
    return _prefilled(desk, Mode("edit", f"/alerts/{row.id}/edit", row), row)


@router.post("/alerts/{alert_id}/edit", response_class=HTMLResponse)
def save_edit(
    desk: DeskDep, settings: SettingsDep, form: PageFormDep, alert_id: AlertId
) -> Response:
    row = alerts.get(desk.ctx, alert_id)
    mode = Mode("edit", f"/alerts/{row.id}/edit", row)
    return saved(desk, settings, mode, read(form), form.text("button", 16))


@router.get("/alerts/{alert_id}/update", response_class=HTMLResponse)
def update(desk: DeskDep, alert_id: AlertId) -> HTMLResponse:
    row = _issued(desk, alert_id)
    return _prefilled(desk, Mode("update", f"/alerts/{row.id}/update", row), row)


@router.post("/alerts/{alert_id}/update", response_class=HTMLResponse)
def save_update(
    desk: DeskDep, settings: SettingsDep, form: PageFormDep, alert_id: AlertId
) -> Response:
    row = alerts.get(desk.ctx, alert_id)
    mode = Mode("update", f"/alerts/{row.id}/update", row)
    return saved(desk, settings, mode, read(form), form.text("button", 16))
