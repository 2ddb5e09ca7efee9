"""The OASIS CAP 1.2 schema shipped in ``data/CAP-v1.2.xsd``, compiled once.

Besides validating, the schema is read for its structure (which elements each element holds,
in which order, which are required and which repeat): element paths and the plain-language
reasons in :mod:`qalxan.alerts.schema_errors` come from it, so nothing here restates the XSD.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.xmldoc import split_tag

FILE = "CAP-v1.2.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"


@dataclass(frozen=True)
class Structure:
    children: dict[str, tuple[str, ...]]  # element -> its child elements, in schema order
    required: dict[str, frozenset[str]]  # element -> the children it must have
    repeatable: frozenset[str]  # elements that may occur more than once
    enumerations: dict[str, tuple[str, ...]]  # element -> its allowed values
    types: dict[str, str]  # element -> its XSD base type (xs:dateTime, xs:decimal...)


@lru_cache(maxsize=1)
def _schema_bytes() -> bytes:
    return resources.files("qalxan.alerts").joinpath("data", FILE).read_bytes()


def _schema_tree() -> etree._Element:
    return etree.fromstring(
        _schema_bytes(), etree.XMLParser(resolve_entities=False, no_network=True)
    )


_per_thread = threading.local()


def cap_schema() -> etree.XMLSchema:
    """The compiled schema, one per thread: an lxml validator keeps its error log on itself and
    must not be shared between threads (the web serves requests from a thread pool)."""
    schema = getattr(_per_thread, "schema", None)
    if schema is None:
        schema = _per_thread.schema = etree.XMLSchema(_schema_tree())
    return schema


@lru_cache(maxsize=1)
def structure() -> Structure:
    children: dict[str, tuple[str, ...]] = {}
    required: dict[str, frozenset[str]] = {}
    repeatable: set[str] = set()
    enumerations: dict[str, tuple[str, ...]] = {}
    types: dict[str, str] = {}
    for element in _schema_tree().iter(f"{XS}element"):
        name = element.get("name") or element.get("ref", "").partition(":")[2]
        if element.get("maxOccurs") == "unbounded":
            repeatable.add(name)
        restriction = element.find(f"{XS}simpleType/{XS}restriction")
        if restriction is not None:
            types[name] = restriction.get("base", "")
            values = [e.get("value", "") for e in restriction.iter(f"{XS}enumeration")]
            if values:
                enumerations[name] = tuple(values)
        elif element.get("type"):
            types[name] = element.get("type", "")
        sequence = element.find(f"{XS}complexType/{XS}sequence")
        if sequence is None:
            continue
        kids = [
            kid.get("name") or kid.get("ref", "").partition(":")[2]
            for kid in sequence.iterchildren(f"{XS}element")
        ]
        children[name] = tuple(kids)
        required[name] = frozenset(
            kid.get("name") or kid.get("ref", "").partition(":")[2]
            for kid in sequence.iterchildren(f"{XS}element")
            if kid.get("minOccurs") != "0"
        )
    return Structure(children, required, frozenset(repeatable), enumerations, types)


def element_path(element: etree._Element, root: etree._Element) -> str:
    """``alert/info[2]/area[1]/polygon[1]``: positions on the elements that may repeat, and on
    any other element that does repeat."""
    repeatable = structure().repeatable
    steps = []
    node: etree._Element | None = element
    while node is not None:
        local = split_tag(node)[1]
        parent = node.getparent() if node is not root else None
        if parent is not None:
            same = [kid for kid in parent if kid.tag == node.tag]
            if local in repeatable or len(same) > 1:
                local = f"{local}[{same.index(node) + 1}]"
        steps.append(local)
        node = parent
    return "/".join(reversed(steps))


def element_lines(root: etree._Element) -> dict[str, int | None]:
    """The path of every element under ``root`` (as :func:`element_path` writes it) and its
    line, in one walk."""
    repeatable = structure().repeatable
    lines: dict[str, int | None] = {}

    def walk(element: etree._Element, path: str) -> None:
        lines[path] = element.sourceline
        kids = [kid for kid in element if isinstance(kid.tag, str)]
        counts: dict[str, int] = {}
        for kid in kids:
            counts[kid.tag] = counts.get(kid.tag, 0) + 1
        seen: dict[str, int] = {}
        for kid in kids:
            seen[kid.tag] = seen.get(kid.tag, 0) + 1
            local = split_tag(kid)[1]
            if local in repeatable or counts[kid.tag] > 1:
                local = f"{local}[{seen[kid.tag]}]"
            walk(kid, f"{path}/{local}")

    walk(root, split_tag(root)[1])
    return lines
