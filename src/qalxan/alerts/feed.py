"""A feed of CAP alerts as read from Atom or RSS: its entries, each linking to or embedding an
alert. Fetching the linked documents is not done here (the feed reader takes bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.alerts.model import Alert
from qalxan.alerts.reading import Reading, read_alert_element
from qalxan.alerts.xmldoc import children, split_tag

# Media types that mark a link to a CAP document (the IANA registration and common use).
CAP_MEDIA_TYPES = frozenset(
    {"application/cap+xml", "application/common-alerting-protocol+xml", "application/cap"}
)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime | None
    link: str | None  # the CAP document's address: a CAP-typed link, else the alternate one
    reading: Reading | None = None  # the alert embedded in the entry, read and checked

    @property
    def alert(self) -> Alert | None:
        return self.reading.alert if self.reading else None


@dataclass(frozen=True)
class Feed:
    kind: str  # "atom" or "rss"
    id: str  # Atom id; for RSS the channel link
    title: str
    updated: datetime | None
    entries: tuple[Entry, ...]


def embedded_reading(entry: etree._Element, path: str) -> Reading | None:
    """The alert an entry embeds (in its content, or as a child of its own), read and checked."""
    holders = [entry, *(child for child in children(entry) if split_tag(child)[1] == "content")]
    for holder in holders:
        for child in children(holder):
            if split_tag(child)[1] == "alert":
                where = f"{path}/alert" if holder is entry else f"{path}/content/alert"
                return read_alert_element(child, where)
    return None
