"""XSD validation with every error turned into a :class:`Problem`: element path and reason.

libxml2 stops checking an element's children at the first one out of place, so unknown
elements further on (``<Polygon>`` for ``<polygon>``...) are found by a walk of our own.
"""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.report import Problem
from qalxan.alerts.schema import cap_schema, element_path, structure
from qalxan.alerts.xmldoc import CAP12, XMLDSIG, children, split_tag

_NS = re.compile(r"\{[^}]*\}")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")
_VALUE = re.compile(r"The value '(.*)' is not|'([^']*)' is not a valid value")
_TYPE_WORDS = {
    "xs:dateTime": "a date and time",
    "xs:decimal": "a decimal number",
    "xs:integer": "an integer",
    "xs:anyURI": "a URI",
    "xs:language": "an RFC 3066 language tag",
}
TIMESTAMP_FORM = (
    "a CAP timestamp is YYYY-MM-DDThh:mm:ss with an explicit offset such as +04:00 "
    "(-00:00 for UTC; no 'Z', no fractions of a second)"
)


def schema_problems(root: etree._Element) -> list[Problem]:
    """Every way ``root`` (a CAP 1.2 ``alert``, the root of its document) breaks the schema."""
    schema = cap_schema()
    if schema.validate(root):
        return []
    found: dict[str, Problem] = {}
    for entry in schema.error_log:
        element = _find(root, entry.path)
        problem = _problem(root, element, entry.message, entry.line)
        found.setdefault(problem.path, problem)
    for problem in _unknown_elements(root, root):
        found.setdefault(problem.path, problem)
    return sorted(found.values(), key=lambda p: p.line or 0)


def _find(root: etree._Element, path: str) -> etree._Element:
    namespaces = {p: u for el in root.iter() for p, u in (el.nsmap or {}).items() if p}
    try:
        hits = root.getroottree().xpath(path, namespaces=namespaces)
    except etree.XPathError:
        return root
    return (
        hits[0] if isinstance(hits, list) and hits and isinstance(hits[0], etree._Element) else root
    )


def _problem(root: etree._Element, element: etree._Element, message: str, line: int) -> Problem:
    text = _NS.sub("", message)
    path = element_path(element, root)
    name = split_tag(element)[1]
    expected = _expected(text)
    if "This element is not expected" in text:
        return _misplaced(root, element, expected, line)
    if "Missing child element" in text:
        parent = split_tag(element)[1]
        present = {split_tag(child)[1] for child in children(element)}
        required = structure().required.get(parent, frozenset())
        missing = [e for e in expected if e in required and e not in present] or expected
        return Problem(f"{path}/{missing[0]}", "required element missing", line)
    value = _value(text)
    if "[facet 'pattern']" in text and structure().types.get(name) == "xs:dateTime":
        return Problem(path, f"{value!r} is not a CAP timestamp: {TIMESTAMP_FORM}", line)
    if "[facet 'enumeration']" in text:
        allowed = ", ".join(structure().enumerations.get(name, ()))
        return Problem(path, f"{value!r} is not one of: {allowed}", line)
    if "is not a valid value of the atomic type" in text:
        kind = structure().types.get(name, "")
        return Problem(path, f"{value!r} is not {_TYPE_WORDS.get(kind, kind)}", line)
    return Problem(path, text.split(": ", 1)[-1].strip(), line)


def _misplaced(
    root: etree._Element, element: etree._Element, expected: list[str], line: int
) -> Problem:
    parent = element.getparent()
    name = split_tag(element)[1]
    namespace = split_tag(element)[0]
    parent_name = split_tag(parent)[1] if parent is not None else ""
    order = structure().children.get(parent_name, ())
    path = element_path(element, root)
    present = {split_tag(child)[1] for child in children(parent)} if parent is not None else set()
    required = structure().required.get(parent_name, frozenset())
    missing = [e for e in expected if e in required and e not in present]
    if missing and parent is not None:
        # An unknown element here is reported too, by the walk in _unknown_elements.
        where = element_path(parent, root)
        return Problem(f"{where}/{missing[0]}", f"required element missing (before {name})", line)
    if namespace != CAP12 or name not in order:
        return _unknown(element, root, parent_name, line)
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    before = split_tag(previous)[1] if previous is not None else ""
    if before == name and name not in structure().repeatable:
        return Problem(path, f"{name} may appear only once", line)
    if before in order and order.index(name) < order.index(before):
        return Problem(path, f"out of order: CAP puts {name} before {before}", line)
    return Problem(path, f"not expected here; expected one of: {', '.join(expected)}", line)


def _unknown(element: etree._Element, root: etree._Element, parent: str, line: int) -> Problem:
    namespace, name = split_tag(element)
    shown = f"{{{namespace}}}{name}" if namespace and namespace != CAP12 else name
    reason = f"unknown element {shown}: CAP 1.2 {parent} has no such element"
    return Problem(element_path(element, root), reason, element.sourceline or line)


def _unknown_elements(element: etree._Element, root: etree._Element) -> list[Problem]:
    parent = split_tag(element)[1]
    allowed = structure().children.get(parent)
    if allowed is None:
        return []
    found = []
    for child in children(element):
        namespace, name = split_tag(child)
        if parent == "alert" and namespace == XMLDSIG:
            continue
        if namespace != CAP12 or name not in allowed:
            found.append(_unknown(child, root, parent, child.sourceline or 0))
        else:
            found.extend(_unknown_elements(child, root))
    return found


def _expected(text: str) -> list[str]:
    match = _EXPECTED.search(text)
    return [name.strip() for name in match[1].split(",")] if match else []


def _value(text: str) -> str:
    match = _VALUE.search(text)
    return (match[1] if match[1] is not None else match[2]) if match else ""
