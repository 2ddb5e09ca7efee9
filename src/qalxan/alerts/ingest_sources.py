"""The alerts a document holds, ready to ingest: a CAP alert, an EDXL-DE envelope, or an Atom or
RSS feed whose entries embed alerts or link to CAP documents.

Every alert is read and checked by the CAP core; one that breaks CAP is kept aside as
``where: element: reason``. A linked document is asked of a :data:`Linked` function: over HTTP
for a feed fetched from the web, from the feed's own folder for a feed read from a file (a link
whose document is not there is reported as not fetched; nothing is fetched from the network
for a file).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from qalxan.alerts.feed import Feed
from qalxan.alerts.ingest_fetch import fetch, is_url, resolve
from qalxan.alerts.model import Alert
from qalxan.alerts.parse import read_document
from qalxan.alerts.reading import Reading
from qalxan.alerts.report import Report
from qalxan.alerts.write import write_alert
from qalxan.errors import InvalidInput

# A linked document: its bytes, or None when it cannot be had here (not fetched). Raises
# InvalidInput when fetching it failed.
Linked = Callable[[str], bytes | None]

MAX_LINKS = 1000  # linked documents read from one feed
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass(frozen=True)
class Received:
    """One valid alert, where it was found, and the UTF-8 CAP document to store for it."""

    alert: Alert
    where: str
    xml: bytes


@dataclass
class Collected:
    """What a document gave: the valid alerts, the rejected ones (``where: path: reason``),
    and the links that could not be read here."""

    kind: str
    alerts: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    not_fetched: list[str] = field(default_factory=list)
    entries: int = 0


def looks_like_xml(data: bytes) -> bool:
    """Whether ``data`` starts like an XML document (after a byte order mark and spaces)."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def collect(data: bytes, name: str, linked: Linked | None = None) -> Collected:
    """The alerts of the document ``data`` (called ``name`` in messages)."""
    document = read_document(data)
    found = Collected(document.kind)
    if not document.report.ok:
        found.rejected.append(_problem(name, document.report))
        return found
    whole = document.kind == "alert" and len(document.readings) == 1
    for reading in document.readings:
        where = name if whole else f"{name}: {reading.where}"
        _take(found, reading, where, data if whole else None)
    if document.feed is not None:
        _links(found, document.feed, name, linked)
    return found


def _take(found: Collected, reading: Reading, where: str, original: bytes | None) -> None:
    if reading.alert is None:
        found.rejected.append(_problem(where, reading.report))
        return
    found.alerts.append(Received(reading.alert, where, _document(reading.alert, original)))


def _links(found: Collected, feed: Feed, name: str, linked: Linked | None) -> None:
    prefix = "feed/entry" if feed.kind == "atom" else "rss/channel/item"
    found.entries = len(feed.entries)
    followed = 0
    for n, entry in enumerate(feed.entries, 1):
        if entry.reading is not None or not entry.link:
            continue
        where = f"{name}: {prefix}[{n}] -> {entry.link}"
        if linked is None or followed >= MAX_LINKS:
            found.not_fetched.append(f"{where}: not fetched")
            continue
        followed += 1
        try:
            data = linked(entry.link)
        except InvalidInput as exc:
            found.not_fetched.append(f"{where}: not fetched: {exc.message}")
            continue
        if data is None:
            found.not_fetched.append(f"{where}: not fetched (no such file beside the feed)")
            continue
        inner = collect(data, where)
        if inner.kind == "feed":
            found.rejected.append(f"{where}: document: a feed, not a CAP alert")
            continue
        found.alerts += inner.alerts
        found.rejected += inner.rejected


def _problem(where: str, report: Report) -> str:
    first = report.errors[0]
    more = len(report.errors) - 1
    return f"{where}: {first}" + (f" (and {more} more)" if more else "")


def _document(alert: Alert, original: bytes | None) -> bytes:
    """The bytes to store: the document as received when it is the alert alone, in UTF-8;
    otherwise the alert written out (the core guarantees it reads back equal)."""
    if original is not None and not original.startswith(b"\xef\xbb\xbf"):
        declared = _ENCODING.match(original)
        if declared is None or declared.group(1).lower() in (b"utf-8", b"utf8"):
            try:
                original.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return original
    return write_alert(alert)


def from_folder(folder: Path) -> Linked:
    """Linked documents of a feed file, looked for in ``folder``: a relative link as a path
    under it; an absolute one by its path, then by its file name (a feed saved with the
    documents it lists). None when there is none; nothing outside ``folder`` is read."""
    root = folder.resolve()

    def read(link: str) -> bytes | None:
        parts = urlsplit(link)
        path = unquote(parts.path).lstrip("/")
        names = [path, Path(path).name] if parts.scheme else [path]
        for name in filter(None, names):
            found = (root / name).resolve()
            if found.is_relative_to(root) and found.is_file():
                return found.read_bytes()
        return None

    return read


def from_web(client: httpx.Client, base: str) -> Linked:
    """Linked documents of a feed fetched from ``base``: fetched, relative links resolved
    against it. Addresses on this machine or a private network are refused: a feed from
    outside must not make the server read inside."""

    def read(link: str) -> bytes | None:
        url = resolve(base, link)
        if not is_url(url):
            raise InvalidInput(f"url: {url}: only http and https addresses are fetched", "url")
        if _inside(url):
            raise InvalidInput(f"url: {url}: a local or private address; not fetched", "url")
        return fetch(client, url).content

    return read


def _inside(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local
