"""Reading untrusted XML safely, and the namespaces that CAP documents use.

The parser never touches the network, never expands entities, keeps libxml2's size limits
(``huge_tree`` off) and refuses any DOCTYPE: CAP, EDXL-DE, Atom and RSS need none, and a DTD is
how entity expansion attacks arrive.
"""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.errors import InvalidInput

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
CAP11 = "urn:oasis:names:tc:emergency:cap:1.1"
CAP10 = ("urn:oasis:names:tc:emergency:cap:1.0", "http://www.incident.com/cap/1.0")
XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
EDXL_DE = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
ATOM = "http://www.w3.org/2005/Atom"
_SOURCE = re.compile(r" \(<string>, line \d+\)$")


def parse_xml(data: bytes, what: str = "document") -> etree._Element:
    """The root element of ``data`` (its encoding as the prolog declares it), or
    :class:`InvalidInput` naming ``what`` and why it cannot be read."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        reason = _SOURCE.sub("", str(error))
        raise InvalidInput(f"{what}: not well-formed XML: {reason}", field=what) from error
    if root.getroottree().docinfo.doctype:
        raise InvalidInput(f"{what}: a DOCTYPE is not allowed", field=what)
    return root


def split_tag(element: etree._Element) -> tuple[str, str]:
    """(namespace, local name); namespace ``""`` when there is none."""
    tag = element.tag
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def children(element: etree._Element) -> list[etree._Element]:
    """The child elements (no comments or processing instructions)."""
    return [child for child in element if isinstance(child.tag, str)]
