"""Reading documents: the safe parser, CAP versions, envelopes, encodings, the model."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from qalxan.alerts import InvalidAlert, Point, parse_alert, read_document
from qalxan.alerts.fields import PLUS_ZERO
from qalxan.alerts.xmldoc import CAP11, CAP12
from tests.alerts.shared import BAKU, XML, xml


def test_the_sample_is_read_into_the_model() -> None:
    alert = parse_alert(xml())
    assert alert.identifier == "AZ-FHN-2025-0001"
    assert alert.sent == datetime(2025, 3, 1, 10, tzinfo=BAKU)
    assert alert.sent.utcoffset() == timedelta(hours=4)
    (info,) = alert.infos
    assert (info.language, info.categories, info.event) == ("az", ("Met",), "Güclü külək")
    (area,) = info.areas
    assert area.polygons[0].points()[1] == Point(40.5, 49.7)
    assert area.circles[0].center() == Point(40.4, 49.86)
    assert area.circles[0].radius_km() == 10
    assert alert.source is None and alert.codes == ()


def test_values_are_kept_as_written() -> None:
    data = xml("<scope>Public</scope>", "<scope>Public</scope><note></note><code>a</code>")
    data = data.replace(b"<code>a</code>", b"").replace(
        b"<note></note>", b"<code>a</code><note></note>"
    )
    alert = parse_alert(data)
    assert alert.note == "" and alert.codes == ("a",)
    area = xml("</areaDesc>", "</areaDesc>").replace(
        b"<circle>40.4,49.86 10</circle>",
        b"<circle>40.4,49.86 10</circle><altitude>100.50</altitude>",
    )
    assert parse_alert(area).infos[0].areas[0].altitude == Decimal("100.50")
    assert str(parse_alert(area).infos[0].areas[0].altitude) == "100.50"


def test_utc_offsets_keep_their_sign() -> None:
    minus = parse_alert(xml("2025-03-01T10:00:00+04:00", "2025-03-01T06:00:00-00:00"))
    plus = parse_alert(xml("2025-03-01T10:00:00+04:00", "2025-03-01T06:00:00+00:00"))
    assert minus.sent == plus.sent == datetime(2025, 3, 1, 6, tzinfo=UTC)
    assert minus.sent.tzinfo is UTC
    assert plus.sent.tzinfo is PLUS_ZERO


def test_implicit_language_is_en_us() -> None:
    alert = parse_alert(xml("<language>az</language>", ""))
    assert alert.infos[0].language is None
    assert alert.infos[0].lang == "en-US"


def test_cap_11_is_upgraded_and_cap_10_refused() -> None:
    (reading,) = read_document(xml(CAP12, CAP11)).readings
    assert (reading.version, reading.upgraded_from, reading.ok) == ("1.1", "1.1", True)
    assert reading.alert == parse_alert(xml())
    # what 1.1 allowed and 1.2 does not stops the upgrade, with the 1.2 rule named
    data = xml(CAP12, CAP11).replace(b"2025-03-01T10:00:00+04:00", b"2025-03-01T06:00:00Z")
    (reading,) = read_document(data).readings
    assert reading.alert is None
    assert reading.report.errors[0].path == "alert/sent"
    resource = "<resource><resourceDesc>map</resourceDesc><uri>https://x.az/m</uri></resource>"
    (reading,) = read_document(
        xml(CAP12, CAP11).replace(b"<area>", f"{resource}<area>".encode())
    ).readings
    assert [str(p) for p in reading.report.errors] == [
        "alert/info[1]/resource[1]/mimeType: required element missing (before uri)"
    ]
    for namespace in ("http://www.incident.com/cap/1.0", "urn:oasis:names:tc:emergency:cap:1.0"):
        (reading,) = read_document(xml(CAP12, namespace)).readings
        assert reading.version == "1.0"
        assert [str(p) for p in reading.report.errors] == [
            f"alert: this is CAP 1.0 ({namespace}); Qalxan reads CAP 1.2 and 1.1"
        ]


def test_no_namespace() -> None:
    (reading,) = read_document(xml(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', "")).readings
    assert reading.report.errors[0].reason.startswith("not a CAP alert: no namespace")


def test_envelopes() -> None:
    alert = XML.split("?>", 1)[1]
    broken = alert.replace("<scope>Public</scope>", "")

    def xml_content(body: str) -> str:
        inner = f"<embeddedXMLContent>{body}</embeddedXMLContent>"
        return f"<contentObject><xmlContent>{inner}</xmlContent></contentObject>"

    envelope = (
        '<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">'
        "<distributionID>1</distributionID>"
        + xml_content(alert)
        + "<contentObject><nonXMLContent><mimeType>text/plain</mimeType></nonXMLContent>"
        + "</contentObject>"
        + xml_content(broken)
        + "</EDXLDistribution>"
    ).encode()
    document = read_document(envelope)
    assert document.kind == "envelope"
    assert [r.where for r in document.readings] == [
        "EDXLDistribution/contentObject[1]/xmlContent/alert",
        "EDXLDistribution/contentObject[3]/xmlContent/alert",
    ]
    assert [r.ok for r in document.readings] == [True, False]
    empty = b'<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0"/>'
    assert [str(p) for p in read_document(empty).report.errors] == [
        "EDXLDistribution: carries no CAP alert"
    ]
    with pytest.raises(InvalidAlert, match="expected one CAP alert, found 2"):
        parse_alert(envelope)


def test_declared_encodings_are_honoured() -> None:
    text = (
        XML.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .replace("Güclü külək", "Überschwemmung à Genève")
        .replace("Bakıda güclü külək gözlənilir", "Crue")
        .replace("Bakı", "Genève")
    )
    alert = parse_alert(text.encode("latin-1"))
    assert alert.infos[0].event == "Überschwemmung à Genève"
    assert alert.infos[0].areas[0].desc == "Genève"


def test_unsafe_or_broken_xml_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&b;</identifier></alert>'
    )
    assert [str(p) for p in read_document(bomb).report.errors] == [
        "document: a DOCTYPE is not allowed"
    ]
    external = (
        b'<?xml version="1.0"?><!DOCTYPE alert SYSTEM "http://example.com/x.dtd">'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>'
    )
    assert not read_document(external).ok
    (problem,) = read_document(b"<alert><identifier>").report.errors
    assert problem.path == "document" and problem.reason.startswith("not well-formed XML")
    (problem,) = read_document(b"<html/>").report.errors
    assert problem.reason == "html is not a CAP alert, an EDXL-DE envelope or an Atom or RSS feed"


def test_parse_alert_raises_with_every_problem() -> None:
    data = xml("<status>Actual", "<status>Real").replace(b"<urgency>Expected", b"<urgency>Soon")
    with pytest.raises(InvalidAlert) as caught:
        parse_alert(data)
    assert caught.value.field == "alert/status"
    assert str(caught.value).endswith("(and 1 more)")
    assert len(caught.value.report.errors) == 2


def test_threads_each_get_their_own_report() -> None:
    good, bad = xml(), xml("<status>Actual", "<status>Real")

    def verdicts(data: bytes) -> list[bool]:
        return [read_document(data).ok for _ in range(30)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(verdicts, [good, bad] * 4))
    assert results == [[True] * 30, [False] * 30] * 4
