"""Writing alerts: schema-valid CAP 1.2, read back unchanged, equivalent to what was read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from qalxan.alerts import (
    Area,
    Circle,
    Pair,
    Point,
    Polygon,
    Resource,
    parse_alert,
    read_document,
    validate_alert,
    write_alert,
)
from qalxan.alerts.schema import cap_schema
from qalxan.alerts.xmldoc import CAP11, CAP12, parse_xml
from qalxan.errors import InvalidInput
from tests.alerts.shared import alert, cap_file, info
from tests.alerts.test_shared_files import UPGRADED_11, VALID_12

FULL = alert(
    source="FHN duty desk",
    scope="Restricted",
    restriction="emergency services",
    addresses='ops@fhn.gov.az "Duty Desk"',
    codes=("profile:AZ-CAP:1.0", "IPAWSv1.0"),
    note="",
    msg_type="Update",
    references="warnings@fhn.gov.az,AZ-FHN-2025-0000,2025-03-01T08:00:00-00:00",
    incidents="INC-1 INC-2",
    infos=(
        info(
            categories=("Met", "Safety"),
            response_types=("Prepare", "AllClear"),
            audience="general public",
            event_codes=(Pair("SAME", "HWW"),),
            effective=datetime(2025, 3, 1, 10, tzinfo=timezone(timedelta(hours=4))),
            onset=datetime(2025, 3, 1, 12, tzinfo=timezone(timedelta(hours=4))),
            sender_name="Fövqəladə Hallar Nazirliyi",
            description="  Küləyin sürəti 25 m/s-ə çatacaq.\n\tEhtiyatlı olun.  ",
            instruction="Evdə qalın & pəncərələri bağlayın <vacib>.",
            web="https://www.fhn.gov.az/",
            contact="112",
            parameters=(Pair("wind_speed", "25"), Pair("empty", "")),
            resources=(
                Resource("map", "image/png", 1024, "https://x.az/m.png", None, "a" * 40),
                Resource("text", "text/plain", None, "note.txt", "aGVsbG8="),
            ),
            areas=(
                Area(
                    "Abşeron",
                    polygons=(
                        Polygon.of(
                            [
                                Point(40.3, 49.7),
                                Point(40.5, 49.7),
                                Point(40.5, 50),
                                Point(40.3, 49.7),
                            ]
                        ),
                    ),
                    circles=(Circle.of(Point(40.4, 49.86), 12.5),),
                    geocodes=(Pair("ISO 3166-2", "AZ-ABS"),),
                    altitude=Decimal("0"),
                    ceiling=Decimal("1500.5"),
                ),
            ),
        ),
        info(language="ru", event="Сильный ветер", headline=None),
        info(language="en", event="Strong wind", expires=None, areas=()),
    ),
)


def canonical(element: Any, mapping: dict[str, str] | None = None) -> tuple[Any, ...]:
    """An element as a tree of (namespace-qualified tag, attributes, text, children), ignoring
    prefixes and whitespace between elements; ``mapping`` renames namespaces."""
    tag = element.tag
    for old, new in (mapping or {}).items():
        tag = tag.replace(old, new)
    kids = [kid for kid in element if isinstance(kid.tag, str)]
    text = "" if kids else (element.text or "").strip()
    return (
        tag,
        tuple(sorted(element.attrib.items())),
        text,
        tuple(canonical(k, mapping) for k in kids),
    )


def test_written_alerts_validate_and_read_back_unchanged() -> None:
    for sample in (alert(), FULL):
        data = write_alert(sample)
        assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
        assert cap_schema().validate(etree.fromstring(data)), cap_schema().error_log
        assert parse_alert(data) == sample
        assert write_alert(parse_alert(data)) == data
        assert validate_alert(sample).ok, validate_alert(sample).errors


def test_text_is_written_exactly() -> None:
    back = parse_alert(write_alert(FULL))
    assert back.infos[0].description == "  Küləyin sürəti 25 m/s-ə çatacaq.\n\tEhtiyatlı olun.  "
    assert back.infos[0].instruction == "Evdə qalın & pəncərələri bağlayın <vacib>."
    assert back.note == ""
    assert back.infos[0].parameters[1] == Pair("empty", "")
    assert back.infos[0].areas[0].ceiling == Decimal("1500.5")
    assert back.infos[0].areas[0].polygons[0].text == "40.3,49.7 40.5,49.7 40.5,50 40.3,49.7"
    assert back.infos[0].areas[0].circles[0].text == "40.4,49.86 12.5"


def test_timestamps_are_written_the_cap_way() -> None:
    utc = alert(sent=datetime(2025, 3, 1, 6, tzinfo=UTC))
    assert b"<sent>2025-03-01T06:00:00-00:00</sent>" in write_alert(utc)
    minus = alert(sent=datetime(2025, 3, 1, 6, tzinfo=timezone(timedelta(hours=-5, minutes=-30))))
    assert b"<sent>2025-03-01T06:00:00-05:30</sent>" in write_alert(minus)
    with pytest.raises(InvalidInput, match="alert/sent: a CAP timestamp needs a UTC offset"):
        write_alert(alert(sent=datetime(2025, 3, 1, 6)))
    with pytest.raises(InvalidInput, match=r"alert/info\[1\]/expires: CAP timestamps have whole"):
        write_alert(alert(infos=(info(expires=datetime(2025, 3, 2, 1, 0, 0, 5, tzinfo=UTC)),)))
    report = validate_alert(alert(sent=datetime(2025, 3, 1, 6)))
    assert [str(p) for p in report.errors] == ["alert/sent: a CAP timestamp needs a UTC offset"]


def test_validate_alert_checks_the_schema_and_the_issuing_rules() -> None:
    report = validate_alert(replace(FULL, status="Bogus", infos=(info(language="sv"),)))
    assert [p.path for p in report.errors] == ["alert/status", "alert/info[1]/language"]
    assert validate_alert(alert(infos=(info(language="sv"),)), issuing=False).ok
    bad = alert(infos=(info(description="bell \x07"),))
    assert [p.path for p in validate_alert(bad).errors] == ["alert/info[1]/description"]


def _originals(data: bytes) -> list[Any]:
    root = parse_xml(data)
    if root.tag.endswith("}alert"):
        return [root]
    return list(root.iter(f"{{{CAP12}}}alert"))


@pytest.mark.parametrize("name", sorted(VALID_12))
def test_shared_valid_files_round_trip(name: str) -> None:
    data = cap_file(name)
    document = read_document(data)
    originals = _originals(data)
    assert len(originals) == len(document.alerts)
    for original, sample in zip(originals, document.alerts, strict=True):
        written = write_alert(sample)
        assert cap_schema().validate(etree.fromstring(written))
        assert parse_alert(written) == sample
        assert canonical(parse_xml(written)) == canonical(original)


@pytest.mark.parametrize("name", sorted(set(UPGRADED_11) - {"earthquake_signed.cap"}))
def test_upgraded_files_round_trip_as_12(name: str) -> None:
    data = cap_file(name)
    (sample,) = read_document(data).alerts
    written = write_alert(sample)
    assert canonical(parse_xml(written)) == canonical(parse_xml(data), {CAP11: CAP12})


def test_an_upgraded_signed_file_loses_only_its_signature() -> None:
    data = cap_file("earthquake_signed.cap")
    (sample,) = read_document(data).alerts
    original = parse_xml(data)
    for signature in original.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        original.remove(signature)
    assert canonical(parse_xml(write_alert(sample))) == canonical(original, {CAP11: CAP12})
