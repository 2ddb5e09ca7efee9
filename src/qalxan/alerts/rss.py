"""Reading RSS 2.0 feeds that list CAP alerts.

RSS 2.0 requires a ``channel`` with ``title``, ``link`` and ``description``, and each ``item``
to have a ``title`` or a ``description``. An item's id is its ``guid`` (else its link), its time
its ``pubDate`` (RFC 822), its CAP document its ``link``.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.feed import Entry, Feed, embedded_reading
from qalxan.alerts.report import Problem, Report
from qalxan.alerts.xmldoc import children, split_tag

CHANNEL_REQUIRED = ("title", "link", "description")


def _text(element: etree._Element, name: str) -> str | None:
    for child in children(element):
        if split_tag(child) == ("", name):
            return (child.text or "").strip()
    return None


def _date(text: str | None, path: str, problems: list[Problem]) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        problems.append(Problem(path, f"{text!r} is not an RFC 822 date"))
        return None


def check_rss(root: etree._Element) -> tuple[Feed | None, Report]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if root.get("version") != "2.0":
        problems.append(Problem("rss", f"version {root.get('version')!r}; Qalxan reads RSS 2.0"))
    channels = [child for child in children(root) if split_tag(child) == ("", "channel")]
    if len(channels) != 1:
        problems.append(Problem("rss/channel", "an RSS feed has exactly one channel"))
        return None, Report.of(problems)
    channel = channels[0]
    for name in CHANNEL_REQUIRED:
        if _text(channel, name) is None:
            problems.append(Problem(f"rss/channel/{name}", "required element missing"))
    items = [child for child in children(channel) if split_tag(child) == ("", "item")]
    entries = []
    for n, item in enumerate(items, 1):
        path = f"rss/channel/item[{n}]"
        title, description = _text(item, "title"), _text(item, "description")
        if not title and not description:
            problems.append(Problem(path, "an item needs a title or a description"))
        link = _text(item, "link") or None
        reading = embedded_reading(item, path)
        if link is None and reading is None:
            warnings.append(Problem(path, "links to no CAP alert and embeds none"))
        updated = _date(_text(item, "pubDate"), f"{path}/pubDate", problems)
        entry_id = _text(item, "guid") or link or ""
        entries.append(Entry(entry_id, title or description or "", updated, link, reading))
    updated = _date(
        _text(channel, "lastBuildDate") or _text(channel, "pubDate"), "rss/channel", problems
    )
    feed = Feed(
        "rss", _text(channel, "link") or "", _text(channel, "title") or "", updated, tuple(entries)
    )
    return feed, Report.of(problems, warnings)
