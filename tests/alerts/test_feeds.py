"""Atom and RSS feeds of CAP alerts, from small inline feeds."""

from __future__ import annotations

import pytest

from qalxan.alerts import InvalidFeed, read_document, read_feed
from tests.alerts.shared import XML

ALERT = XML.split("?>", 1)[1]


def atom(entry: str, head: str = "<id>urn:feed</id><title>Warnings</title>") -> bytes:
    return (
        f'<feed xmlns="http://www.w3.org/2005/Atom">{head}'
        f"<updated>2025-03-01T10:00:00+04:00</updated><entry>{entry}</entry></feed>"
    ).encode()


ENTRY = "<id>urn:a:1</id><title>Wind</title><updated>2025-03-01T06:00:00Z</updated>"


def problems(data: bytes) -> list[str]:
    with pytest.raises(InvalidFeed) as caught:
        read_feed(data)
    return [str(p) for p in caught.value.report.errors]


def test_an_entry_linking_to_its_alert() -> None:
    links = (
        '<link href="https://x.az/page.html"/>'
        '<link rel="related" type="application/cap+xml; charset=utf-8" href="https://x.az/a.xml"/>'
    )
    feed = read_feed(atom(ENTRY + links))
    assert (feed.kind, feed.id, feed.title) == ("atom", "urn:feed", "Warnings")
    (entry,) = feed.entries
    assert (entry.id, entry.title, entry.link, entry.reading) == (
        "urn:a:1",
        "Wind",
        "https://x.az/a.xml",
        None,
    )
    assert entry.updated is not None and entry.updated.utcoffset() is not None
    (entry,) = read_feed(atom(ENTRY + '<link href="https://x.az/a.xml"/>')).entries
    assert entry.link == "https://x.az/a.xml"


def test_an_entry_embedding_its_alert() -> None:
    (entry,) = read_feed(atom(ENTRY + f'<content type="text/xml">{ALERT}</content>')).entries
    assert entry.alert is not None and entry.alert.identifier == "AZ-FHN-2025-0001"
    assert entry.reading is not None and entry.reading.where == "feed/entry[1]/content/alert"
    broken = ALERT.replace("<scope>Public</scope>", "")
    data = atom(ENTRY + f'<content type="text/xml">{broken}</content>')
    (entry,) = read_feed(data).entries  # the feed is sound; its alert is not
    assert entry.alert is None
    assert entry.reading is not None
    assert [p.path for p in entry.reading.report.errors] == ["alert/scope"]
    document = read_document(data)
    assert document.kind == "feed" and not document.ok and document.report.ok


def test_atom_requirements() -> None:
    assert problems(atom(ENTRY, head="<title>Warnings</title>")) == [
        "feed/id: required element missing",
        "feed/entry[1]: neither content nor a link rel=alternate (RFC 4287, 4.1.1)",
    ]
    assert problems(atom("<id>x</id><title>t</title><updated>yesterday</updated><content/>")) == [
        "feed/entry[1]/updated: 'yesterday' is not an RFC 3339 date-time"
    ]
    assert problems(atom(ENTRY + ENTRY.split("</id>")[0] + "</id><content/>")) == [
        "feed/entry[1]/id: may appear only once"
    ]
    assert problems(atom(ENTRY + "<bogus/><content/>")) == [
        "feed/entry[1]/bogus: not an Atom element"
    ]
    ext = ENTRY + '<cap:event xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">x</cap:event>'
    assert read_feed(atom(ext + '<link href="https://x.az/a"/>')).entries[0].id == "urn:a:1"


def test_an_entry_with_empty_content_and_no_link_is_flagged() -> None:
    document = read_document(atom(ENTRY + "<content/>"))
    assert document.ok
    assert [str(p) for p in document.report.warnings] == [
        "feed/entry[1]: links to no CAP alert and embeds none"
    ]


def test_rss() -> None:
    item = (
        "<item><title>Wind</title><link>https://x.az/a.xml</link><guid>A-1</guid>"
        "<pubDate>Sat, 01 Mar 2025 06:00:00 GMT</pubDate></item>"
    )
    rss = f'<rss version="2.0"><channel><title>W</title><link>https://x.az</link><description>d</description>{item}</channel></rss>'
    feed = read_feed(rss.encode())
    assert (feed.kind, feed.id, feed.title) == ("rss", "https://x.az", "W")
    (entry,) = feed.entries
    assert (entry.id, entry.title, entry.link) == ("A-1", "Wind", "https://x.az/a.xml")
    assert entry.updated is not None and entry.updated.isoformat() == "2025-03-01T06:00:00+00:00"
    bad = rss.replace("Sat, 01 Mar 2025 06:00:00 GMT", "soon").replace(
        'version="2.0"', 'version="0.91"'
    )
    assert problems(bad.encode()) == [
        "rss: version '0.91'; Qalxan reads RSS 2.0",
        "rss/channel/item[1]/pubDate: 'soon' is not an RFC 822 date",
    ]
    assert problems(b'<rss version="2.0"/>') == ["rss/channel: an RSS feed has exactly one channel"]


def test_not_a_feed() -> None:
    assert problems(b"<html/>") == ["feed: html is neither an Atom feed nor RSS"]
    assert problems(b"<feed")[0].startswith("feed: not well-formed XML")
