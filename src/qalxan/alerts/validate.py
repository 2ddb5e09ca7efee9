"""The CAP 1.2 rules the schema cannot express, checked on an :class:`Alert`.

Each rule is the standard's (section numbers of CAP 1.2 in the reasons where it helps); where
Qalxan goes further it says so in docs/alerts.md. Errors make the alert invalid; warnings mark
what the standard advises against. :func:`validate_alert` adds the schema to the rules for an
alert built in code (the one an operator is about to issue).
"""

from __future__ import annotations

import re
from datetime import datetime

from qalxan.alerts.area_rules import area_problems
from qalxan.alerts.fields import format_timestamp, parse_references, split_list
from qalxan.alerts.model import Alert, Info, Resource
from qalxan.alerts.report import Problem, Report
from qalxan.alerts.schema_errors import schema_problems
from qalxan.alerts.vocabulary import is_known_language, load_vocabulary
from qalxan.alerts.write import write_alert
from qalxan.alerts.xmldoc import parse_xml
from qalxan.errors import InvalidInput

_RESTRICTED = re.compile(r"[\s,<&]")
_MEDIA_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(\s*;.*)?", re.ASCII)
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S")
REFERRING = {"Update": "updates", "Cancel": "cancels", "Ack": "acknowledges", "Error": "rejects"}
HEADLINE_LIMIT = 160


def check_alert(alert: Alert, *, issuing: bool = False) -> Report:
    """The rules on ``alert``. ``issuing``: it is Qalxan's own, so every ``<info>`` names one of
    the platform's languages (``data/cap.yaml``)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for name, value in (("identifier", alert.identifier), ("sender", alert.sender)):
        if not value:
            errors.append(Problem(f"alert/{name}", "must not be empty"))
        elif found := _RESTRICTED.search(value):
            errors.append(
                Problem(
                    f"alert/{name}",
                    f"{value!r} contains {found[0]!r}: CAP 1.2 forbids spaces, commas and the "
                    "restricted characters < and &",
                )
            )
    _references(alert, errors, warnings)
    _scope(alert, errors, warnings)
    for n, info in enumerate(alert.infos, 1):
        _info(alert, info, f"alert/info[{n}]", issuing, errors, warnings)
    return Report.of(errors, warnings)


def _references(alert: Alert, errors: list[Problem], warnings: list[Problem]) -> None:
    verb = REFERRING.get(alert.msg_type)
    if verb and not (alert.references or "").strip():
        errors.append(
            Problem(
                "alert/references",
                f"required when msgType is {alert.msg_type}: name the message(s) it {verb} "
                "as sender,identifier,sent",
            )
        )
    elif alert.references:
        try:
            parse_references(alert.references, "alert/references")
        except InvalidInput as error:
            errors.append(Problem("alert/references", error.message.split(": ", 1)[1]))
    if alert.msg_type == "Error" and not (alert.note or "").strip():
        warnings.append(Problem("alert/note", "an Error message should explain itself in note"))


def _scope(alert: Alert, errors: list[Problem], warnings: list[Problem]) -> None:
    if alert.scope == "Restricted" and not (alert.restriction or "").strip():
        errors.append(Problem("alert/restriction", "required when scope is Restricted"))
    if alert.scope != "Restricted" and (alert.restriction or "").strip():
        warnings.append(Problem("alert/restriction", "used only when scope is Restricted"))
    if alert.scope == "Private" and not (alert.addresses or "").strip():
        errors.append(Problem("alert/addresses", "required when scope is Private"))
    for name, value in (("addresses", alert.addresses), ("incidents", alert.incidents)):
        try:
            split_list(value or "", f"alert/{name}")
        except InvalidInput as error:
            errors.append(Problem(f"alert/{name}", error.message.split(": ", 1)[1]))


def _info(
    alert: Alert,
    info: Info,
    path: str,
    issuing: bool,
    errors: list[Problem],
    warnings: list[Problem],
) -> None:
    _language(info, path, issuing, errors)
    _times(alert, info, path, errors, warnings)
    if info.headline and len(info.headline) > HEADLINE_LIMIT:
        warnings.append(
            Problem(
                f"{path}/headline",
                f"{len(info.headline)} characters; CAP advises at most {HEADLINE_LIMIT}",
            )
        )
    if info.web is not None and not _SCHEME.match(info.web):
        errors.append(Problem(f"{path}/web", f"{info.web!r} is not a full absolute URI"))
    for n, resource in enumerate(info.resources, 1):
        _resource(resource, f"{path}/resource[{n}]", errors, warnings)
    for n, area in enumerate(info.areas, 1):
        errors.extend(area_problems(area, f"{path}/area[{n}]"))


def _language(info: Info, path: str, issuing: bool, errors: list[Problem]) -> None:
    where = f"{path}/language"
    if info.language is not None and not is_known_language(info.language):
        errors.append(
            Problem(where, f"unknown language {info.language!r}: not an ISO 639 language code")
        )
    elif issuing:
        vocabulary = load_vocabulary()
        allowed = ", ".join(vocabulary.platform_languages)
        if info.language is None:
            errors.append(Problem(where, f"an alert Qalxan issues names its language ({allowed})"))
        elif not vocabulary.is_platform_language(info.language):
            errors.append(
                Problem(where, f"Qalxan issues alerts in {allowed}, not {info.language!r}")
            )


def _times(
    alert: Alert, info: Info, path: str, errors: list[Problem], warnings: list[Problem]
) -> None:
    if info.expires is None:
        return
    bounds: list[tuple[str, datetime]] = [("sent", alert.sent)]
    if info.effective is not None:
        bounds.append(("effective", info.effective))
    for name, bound in bounds:
        if info.expires <= bound:
            errors.append(
                Problem(
                    f"{path}/expires",
                    f"{format_timestamp(info.expires)} is not after {name} "
                    f"{format_timestamp(bound)}: the message would never be in force",
                )
            )
            return
    if info.onset is not None and info.expires < info.onset:
        warnings.append(
            Problem(
                f"{path}/expires",
                f"{format_timestamp(info.expires)} is before onset {format_timestamp(info.onset)}",
            )
        )


def _resource(
    resource: Resource, path: str, errors: list[Problem], warnings: list[Problem]
) -> None:
    if not _MEDIA_TYPE.fullmatch(resource.mime_type.strip()):
        warnings.append(
            Problem(f"{path}/mimeType", f"{resource.mime_type!r} is not a type/subtype")
        )
    if resource.size is not None and resource.size < 0:
        errors.append(Problem(f"{path}/size", "must not be negative"))
    if resource.uri is not None and not _SCHEME.match(resource.uri) and not resource.deref_uri:
        errors.append(
            Problem(
                f"{path}/uri",
                f"{resource.uri!r} is relative, which CAP allows only to name derefUri content",
            )
        )
    if resource.deref_uri is not None:
        data = "".join(resource.deref_uri.split())
        if len(data) % 4 or not _BASE64.fullmatch(data):
            errors.append(Problem(f"{path}/derefUri", "is not base64-encoded content"))
    if resource.digest is not None and not _SHA1.fullmatch(resource.digest.strip()):
        warnings.append(Problem(f"{path}/digest", "is not a SHA-1 digest (40 hexadecimal digits)"))


def validate_alert(alert: Alert, *, issuing: bool = True) -> Report:
    """The schema and the rules on an alert built in code, as :func:`write_alert` would write
    it: what to check before an alert is issued."""
    try:
        root = parse_xml(write_alert(alert))
    except InvalidInput as error:
        return Report.error(error.field or "alert", error.message.split(": ", 1)[-1])
    return Report.of(schema_problems(root)) + check_alert(alert, issuing=issuing)
