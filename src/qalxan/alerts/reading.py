"""Reading one ``alert`` element, wherever it was found: version, schema, model, rules.

CAP 1.2 is read as is. CAP 1.1 uses the same elements in the same order; 1.2 adds two response
types and requires what 1.1 left open (``mimeType`` in a resource, an offset on every timestamp,
decimal altitudes). A 1.1 alert is therefore read as 1.2 by moving its elements to the 1.2
namespace and nothing else: when it then passes the 1.2 schema and rules the reading is lossless
and is accepted with ``upgraded_from="1.1"`` and a warning; when it does not, the errors say
which 1.2 requirement it misses. Its XML signature, which signed the 1.1 text, is dropped.
CAP 1.0 (and any other namespace) is refused with the namespace named.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.elements import alert_from_element
from qalxan.alerts.model import Alert
from qalxan.alerts.report import Problem, Report
from qalxan.alerts.schema import element_lines
from qalxan.alerts.schema_errors import schema_problems
from qalxan.alerts.validate import check_alert
from qalxan.alerts.xmldoc import CAP10, CAP11, CAP12, XMLDSIG, split_tag
from qalxan.errors import InvalidInput

VERSIONS = {CAP12: "1.2", CAP11: "1.1", **dict.fromkeys(CAP10, "1.0")}


@dataclass(frozen=True)
class Reading:
    """One alert read and checked. ``alert`` is set exactly when there is no error."""

    where: str  # the alert's place in its document: "alert", "feed/entry[2]/content/alert"...
    version: str | None  # "1.2", "1.1", "1.0"; None when the namespace is not CAP's
    alert: Alert | None
    report: Report
    upgraded_from: str | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok


def read_alert_element(element: etree._Element, where: str = "alert") -> Reading:
    """Read ``element`` (an ``alert``, in any namespace) as CAP 1.2. The element is not
    changed: a copy is validated when it is not the root of its document or must be upgraded."""
    namespace = split_tag(element)[0]
    version = VERSIONS.get(namespace)
    if version is None:
        shown = f"namespace {namespace}" if namespace else "no namespace"
        reason = f"not a CAP alert: {shown} (CAP 1.2 is {CAP12})"
        return Reading(where, None, None, Report.error("alert", reason, element.sourceline))
    if version == "1.0":
        reason = f"this is CAP 1.0 ({namespace}); Qalxan reads CAP 1.2 and 1.1"
        return Reading(where, version, None, Report.error("alert", reason, element.sourceline))
    notes = Report()
    if version == "1.1":
        element, notes = _upgraded(element)
    elif element.getparent() is not None:
        element = copy.deepcopy(element)
    problems = schema_problems(element)
    if problems:
        return Reading(where, version, None, notes + Report.of(problems), _from(version))
    try:
        alert = alert_from_element(element)
    except InvalidInput as error:
        report = Report.error(error.field or "alert", error.message.split(": ", 1)[-1])
        return Reading(where, version, None, notes + report, _from(version))
    report = notes + _located(check_alert(alert), element)
    return Reading(where, version, alert if report.ok else None, report, _from(version))


def _located(report: Report, root: etree._Element) -> Report:
    """``report`` with the line of each problem's element (or of its nearest ancestor)."""
    if not report.errors and not report.warnings:
        return report
    lines = element_lines(root)

    def locate(problem: Problem) -> Problem:
        path = problem.path
        while path and path not in lines:
            path = path.rpartition("/")[0]
        return replace(problem, line=lines.get(path))

    return Report.of(map(locate, report.errors), map(locate, report.warnings))


def _from(version: str) -> str | None:
    return None if version == "1.2" else version


def _upgraded(element: etree._Element) -> tuple[etree._Element, Report]:
    upgraded = copy.deepcopy(element)
    warnings = [
        Problem(
            "alert",
            f"CAP 1.1 ({CAP11}) read as CAP 1.2: same elements, checked against the 1.2 schema",
            element.sourceline,
        )
    ]
    for node in list(upgraded.iter()):
        namespace, local = split_tag(node)
        if namespace == CAP11:
            node.tag = f"{{{CAP12}}}{local}"
        elif namespace == XMLDSIG and node.getparent() is upgraded:
            upgraded.remove(node)
            warnings.append(
                Problem("alert/Signature", "signed the CAP 1.1 text; dropped in the upgrade")
            )
    etree.cleanup_namespaces(upgraded)
    return upgraded, Report(warnings=tuple(warnings))
