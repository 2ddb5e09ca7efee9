"""Reading Atom (RFC 4287) and RSS 2.0 feeds that list CAP alerts.

An entry either links to its CAP document or embeds the alert (in ``<content>``, or as a child
of the entry as some index feeds do); an embedded alert is read and checked like any other.
A feed is rejected for what its format requires: the feed's and each entry's ``id``, ``title``
and ``updated``; a link or content in every entry; no element of the Atom namespace that Atom
does not define. RSS: see :mod:`qalxan.alerts.rss`.
"""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.feed import CAP_MEDIA_TYPES, Entry, Feed, embedded_reading
from qalxan.alerts.report import InvalidFeed, Problem, Report
from qalxan.alerts.rss import check_rss
from qalxan.alerts.xmldoc import ATOM, children, parse_xml, split_tag
from qalxan.errors import InvalidInput

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
FEED_ELEMENTS = frozenset(
    {
        "author",
        "category",
        "contributor",
        "generator",
        "icon",
        "id",
        "link",
        "logo",
        "rights",
        "subtitle",
        "title",
        "updated",
        "entry",
    }
)
ENTRY_ELEMENTS = frozenset(
    {
        "author",
        "category",
        "content",
        "contributor",
        "id",
        "link",
        "published",
        "rights",
        "source",
        "summary",
        "title",
        "updated",
    }
)
REQUIRED = ("id", "title", "updated")


def read_feed(data: bytes) -> Feed:
    """The feed in ``data``, or :class:`InvalidFeed` with every problem of the feed itself.
    Embedded alerts that break CAP do not reject the feed: see each entry's ``reading``."""
    try:
        root = parse_xml(data, "feed")
    except InvalidInput as error:
        raise InvalidFeed(Report.error("feed", error.message.split(": ", 1)[1])) from error
    feed, report = check_feed(root)
    if feed is None or not report.ok:
        raise InvalidFeed(report)
    return feed


def check_feed(root: etree._Element) -> tuple[Feed | None, Report]:
    """The feed rooted at ``root`` and the problems of its structure."""
    namespace, name = split_tag(root)
    if (namespace, name) == ("", "rss"):
        return check_rss(root)
    if (namespace, name) != (ATOM, "feed"):
        return None, Report.error("feed", f"{name} is neither an Atom feed nor RSS")
    problems: list[Problem] = []
    warnings: list[Problem] = []
    values = _required(root, "feed", FEED_ELEMENTS, problems)
    entries = []
    for n, element in enumerate(root.iterfind(f"{{{ATOM}}}entry"), 1):
        path = f"feed/entry[{n}]"
        found = _required(element, path, ENTRY_ELEMENTS, problems)
        has_content = element.find(f"{{{ATOM}}}content") is not None
        link = _cap_link(element)
        if not has_content and _alternate(element) is None:
            problems.append(
                Problem(path, "neither content nor a link rel=alternate (RFC 4287, 4.1.1)")
            )
        reading = embedded_reading(element, path)
        if has_content and reading is None and link is None:
            warnings.append(Problem(path, "links to no CAP alert and embeds none"))
        entries.append(
            Entry(found["id"], found["title"], _updated(found, path, problems), link, reading)
        )
    updated = _updated(values, "feed", problems)
    feed = Feed("atom", values["id"], values["title"], updated, tuple(entries))
    return feed, Report.of(problems, warnings)


def _required(
    element: etree._Element, path: str, known: frozenset[str], problems: list[Problem]
) -> dict[str, str]:
    values: dict[str, str] = {}
    for child in children(element):
        namespace, name = split_tag(child)
        if namespace == ATOM and name not in known:
            problems.append(Problem(f"{path}/{name}", "not an Atom element", child.sourceline))
    for name in REQUIRED:
        found = element.findall(f"{{{ATOM}}}{name}")
        values[name] = (found[0].text or "").strip() if found else ""
        if not found:
            problems.append(Problem(f"{path}/{name}", "required element missing"))
        elif len(found) > 1:
            problems.append(Problem(f"{path}/{name}", "may appear only once"))
        elif name == "id" and not values[name]:
            problems.append(Problem(f"{path}/id", "must not be empty"))
    return values


def _updated(values: dict[str, str], path: str, problems: list[Problem]) -> datetime | None:
    text = values["updated"]
    if not text:
        return None
    if not _RFC3339.fullmatch(text):
        problems.append(Problem(f"{path}/updated", f"{text!r} is not an RFC 3339 date-time"))
        return None
    return datetime.fromisoformat(text.upper())


def _alternate(entry: etree._Element) -> str | None:
    for link in entry.iterfind(f"{{{ATOM}}}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link.get("href"))
    return None


def _cap_link(entry: etree._Element) -> str | None:
    for link in entry.iterfind(f"{{{ATOM}}}link"):
        media = (link.get("type") or "").split(";")[0].strip().lower()
        if media in CAP_MEDIA_TYPES and link.get("href"):
            return str(link.get("href"))
    return _alternate(entry)
