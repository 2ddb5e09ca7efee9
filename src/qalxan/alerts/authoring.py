"""From the alert form to a CAP alert and back, and the checks an alert of the desk must pass.

Every draft the desk stores is a complete CAP 1.2 alert that passes the schema, the standard's
rules for an alert the platform issues (``validate_alert(..., issuing=True)``) and the desk's
own rules (:func:`desk_problems`), so that what an approver reads is what will be issued.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from qalxan.alerts.areas import area_form_of, build_area
from qalxan.alerts.form import AlertForm, InfoForm
from qalxan.alerts.model import Alert, Info
from qalxan.alerts.report import InvalidAlert, Problem, Report
from qalxan.alerts.validate import validate_alert
from qalxan.errors import InvalidInput


class NotIssuable(InvalidAlert):
    """An alert the desk refuses; the message lists every error with its element."""

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.message = "; ".join(str(problem) for problem in report.errors)
        self.args = (self.message,)


def to_alert(
    form: AlertForm,
    *,
    identifier: str,
    sender: str,
    sent: datetime,
    msg_type: str = "Alert",
    references: str | None = None,
) -> Alert:
    """The CAP alert the form describes (areas resolved; empty texts left out)."""
    if not form.infos:
        raise InvalidInput(
            "alert/info: an alert of the desk has at least one info block", field="alert/info"
        )
    return Alert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=form.status,
        msg_type=msg_type,
        scope=form.scope,
        source=_text(form.source),
        restriction=_text(form.restriction),
        addresses=_text(form.addresses),
        codes=tuple(code for code in form.codes if code.strip()),
        note=_text(form.note),
        references=references,
        incidents=_text(form.incidents),
        infos=tuple(_info(info, f"alert/info[{n}]") for n, info in enumerate(form.infos, 1)),
    )


def _info(form: InfoForm, path: str) -> Info:
    language = form.language.strip()
    return Info(
        language=language,
        categories=form.categories,
        event=form.event.strip(),
        urgency=form.urgency,
        severity=form.severity,
        certainty=form.certainty,
        response_types=form.response_types,
        audience=_text(form.audience),
        event_codes=form.event_codes,
        effective=form.effective,
        onset=form.onset,
        expires=form.expires,
        sender_name=_text(form.sender_name),
        headline=_text(form.headline),
        description=_text(form.description),
        instruction=_text(form.instruction),
        web=_text(form.web),
        contact=_text(form.contact),
        parameters=form.parameters,
        resources=form.resources,
        areas=tuple(
            build_area(area, language, f"{path}/area[{n}]") for n, area in enumerate(form.areas, 1)
        ),
    )


def _text(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def form_of(alert: Alert) -> AlertForm:
    """The form that gives ``alert`` again (its handling, texts and areas)."""
    return AlertForm(
        infos=tuple(_info_form(info) for info in alert.infos),
        status=alert.status,
        scope=alert.scope,
        source=alert.source,
        restriction=alert.restriction,
        addresses=alert.addresses,
        codes=alert.codes,
        note=alert.note,
        incidents=alert.incidents,
    )


def _info_form(info: Info) -> InfoForm:
    return InfoForm(
        language=info.lang,
        categories=info.categories,
        event=info.event,
        urgency=info.urgency,
        severity=info.severity,
        certainty=info.certainty,
        response_types=info.response_types,
        audience=info.audience,
        event_codes=info.event_codes,
        effective=info.effective,
        onset=info.onset,
        expires=info.expires,
        sender_name=info.sender_name,
        headline=info.headline,
        description=info.description,
        instruction=info.instruction,
        web=info.web,
        contact=info.contact,
        parameters=info.parameters,
        resources=info.resources,
        areas=tuple(area_form_of(area) for area in info.areas),
    )


def desk_problems(alert: Alert) -> list[Problem]:
    """What the desk requires beyond CAP: at least one info block, each with an expiry (so that
    nothing stays in the public feed for ever) and an area (so that channels can say where)."""
    if not alert.infos:
        return [Problem("alert/info", "an alert of the desk has at least one info block")]
    problems = []
    for n, info in enumerate(alert.infos, 1):
        if info.expires is None:
            problems.append(Problem(f"alert/info[{n}]/expires", "required by the warning desk"))
        if not info.areas:
            problems.append(Problem(f"alert/info[{n}]/area", "required by the warning desk"))
    return problems


def checked(alert: Alert) -> Alert:
    """``alert`` when it passes the schema, CAP's rules for an issued alert and the desk's;
    :class:`NotIssuable` with every error otherwise."""
    report = validate_alert(replace(alert, signatures=()), issuing=True)
    report += Report.of(desk_problems(alert))
    if not report.ok:
        raise NotIssuable(report)
    return alert


def expires_of(alert: Alert) -> datetime | None:
    """When the alert stops being in force: its last info's expiry (None: never)."""
    times = [info.expires for info in alert.infos]
    if not times or any(t is None for t in times):
        return None
    return max(t for t in times if t is not None)
