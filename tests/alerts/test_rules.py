"""The rules the schema cannot express, each on a small alert built for it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from qalxan.alerts import Area, Circle, Polygon, Report, Resource, check_alert, read_document
from tests.alerts.shared import BAKU, alert, info, xml


def errors(report: Report) -> list[str]:
    return [str(problem) for problem in report.errors]


def warnings(report: Report) -> list[str]:
    return [str(problem) for problem in report.warnings]


def area_errors(area: Area) -> list[str]:
    return errors(check_alert(alert(infos=(info(areas=(area,)),))))


def test_the_sample_alert_passes() -> None:
    assert check_alert(alert()) == Report()


@pytest.mark.parametrize(
    ("msg_type", "verb"),
    [("Update", "updates"), ("Cancel", "cancels"), ("Ack", "acknowledges"), ("Error", "rejects")],
)
def test_messages_about_other_messages_need_references(msg_type: str, verb: str) -> None:
    found = errors(check_alert(alert(msg_type=msg_type)))
    assert found == [
        f"alert/references: required when msgType is {msg_type}: name the message(s) it "
        f"{verb} as sender,identifier,sent"
    ]
    good = alert(msg_type=msg_type, references="a@b.az,X-1,2025-03-01T09:00:00+04:00", note="x")
    assert check_alert(good).ok


def test_references_are_sender_identifier_sent_triples() -> None:
    two = "a@b.az,X-1,2025-03-01T09:00:00+04:00 a@b.az,X-2,2025-03-01T09:30:00-00:00"
    assert check_alert(alert(msg_type="Update", references=two)).ok
    assert alert(references=two).reference_list()[1].identifier == "X-2"
    assert errors(check_alert(alert(msg_type="Update", references="a@b.az,X-1"))) == [
        "alert/references: 'a@b.az,X-1' is not a 'sender,identifier,sent' triple"
    ]
    (found,) = errors(check_alert(alert(references="a@b.az,X-1,2025-03-01T09:00:00Z")))
    assert found.startswith("alert/references: '2025-03-01T09:00:00Z' is not a CAP timestamp")


def test_an_error_message_should_explain_itself() -> None:
    report = check_alert(alert(msg_type="Error", references="a,b,2025-03-01T09:00:00+04:00"))
    assert report.ok
    assert warnings(report) == ["alert/note: an Error message should explain itself in note"]


def test_restricted_needs_a_restriction_and_private_needs_addresses() -> None:
    assert errors(check_alert(alert(scope="Restricted"))) == [
        "alert/restriction: required when scope is Restricted"
    ]
    assert errors(check_alert(alert(scope="Restricted", restriction="  "))) == [
        "alert/restriction: required when scope is Restricted"
    ]
    assert check_alert(alert(scope="Restricted", restriction="FHN duty officers")).ok
    assert errors(check_alert(alert(scope="Private"))) == [
        "alert/addresses: required when scope is Private"
    ]
    private = alert(scope="Private", addresses='ops@fhn.gov.az "Duty Desk"')
    assert check_alert(private).ok
    assert private.address_list() == ("ops@fhn.gov.az", "Duty Desk")
    assert warnings(check_alert(alert(restriction="only us"))) == [
        "alert/restriction: used only when scope is Restricted"
    ]


def test_address_and_incident_lists_have_balanced_quotes() -> None:
    found = errors(check_alert(alert(scope="Private", addresses='"Duty Desk ops@x')))
    assert found == ["alert/addresses: unbalanced double quote"]
    assert errors(check_alert(alert(incidents='"a b'))) == [
        "alert/incidents: unbalanced double quote"
    ]


@pytest.mark.parametrize(("value", "char"), [("AZ 1", " "), ("AZ,1", ","), ("AZ<1", "<")])
def test_identifier_and_sender_have_no_restricted_characters(value: str, char: str) -> None:
    (found,) = errors(check_alert(alert(identifier=value)))
    assert found.startswith(f"alert/identifier: {value!r} contains {char!r}")
    (found,) = errors(check_alert(alert(sender=value)))
    assert found.startswith("alert/sender:")
    assert errors(check_alert(alert(identifier=""))) == ["alert/identifier: must not be empty"]


def test_polygons_have_four_pairs_and_are_closed() -> None:
    short = Polygon("40.3,49.7 40.5,49.7 40.3,49.7")
    assert area_errors(Area("x", polygons=(short,))) == [
        "alert/info[1]/area[1]/polygon[1]: 3 coordinate pairs; a polygon needs at least 4 "
        "(the first repeated at the end)"
    ]
    open_ring = Polygon("40.3,49.7 40.5,49.7 40.5,50.0 40.3,49.8")
    assert area_errors(
        Area("x", polygons=(Polygon("40.3,49.7 40.5,49.7 40.5,50 40.3,49.7"), open_ring))
    ) == [
        "alert/info[1]/area[1]/polygon[2]: not closed: the first pair 40.3,49.7 differs from "
        "the last 40.3,49.8"
    ]
    # the same point written differently closes the ring
    assert (
        area_errors(Area("x", polygons=(Polygon("40.3,49.7 40.5,49.7 40.5,50 40.30,49.70"),))) == []
    )


def test_polygon_coordinates_are_read_and_in_range() -> None:
    (found,) = area_errors(Area("x", polygons=(Polygon("40.3;49.7 1,2 3,4 40.3;49.7"),)))
    assert found == (
        "alert/info[1]/area[1]/polygon[1]: '40.3;49.7' is not a 'latitude,longitude' pair"
    )
    (found,) = area_errors(Area("x", polygons=(Polygon("49.7,40.3 91,40 50,40 49.7,40.3"),)))
    assert "pair 91,40 is outside the WGS 84 range" in found


def test_circles_are_a_pair_and_a_radius() -> None:
    assert area_errors(Area("x", circles=(Circle("40.4,49.86 10.5"),))) == []
    (found,) = area_errors(Area("x", circles=(Circle("40.4,49.86"),)))
    assert found == (
        "alert/info[1]/area[1]/circle[1]: '40.4,49.86' is not 'latitude,longitude radius' "
        "(radius in km)"
    )
    (found,) = area_errors(Area("x", circles=(Circle("40.4,190 1"),)))
    assert "centre 40.4,190 is outside" in found
    assert area_errors(Area("x", circles=(Circle("40.4,49.86 -1"),))) == [
        "alert/info[1]/area[1]/circle[1]: the radius must not be negative"
    ]


def test_ceiling_needs_an_altitude_above_it() -> None:
    assert area_errors(Area("x", ceiling=Decimal(1000))) == [
        "alert/info[1]/area[1]/ceiling: used only together with altitude"
    ]
    assert area_errors(Area("x", altitude=Decimal(2000), ceiling=Decimal(1000))) == [
        "alert/info[1]/area[1]/ceiling: 1000 is below the altitude 2000"
    ]
    assert area_errors(Area("x", altitude=Decimal(0), ceiling=Decimal("1000.5"))) == []


def test_expires_comes_after_sent_and_effective() -> None:
    at = datetime(2025, 3, 1, 9, tzinfo=BAKU)
    assert errors(check_alert(alert(infos=(info(expires=at),)))) == [
        "alert/info[1]/expires: 2025-03-01T09:00:00+04:00 is not after sent "
        "2025-03-01T10:00:00+04:00: the message would never be in force"
    ]
    effective = datetime(2025, 3, 3, tzinfo=BAKU)
    (found,) = errors(check_alert(alert(infos=(info(effective=effective),))))
    assert found.startswith(
        "alert/info[1]/expires: 2025-03-02T10:00:00+04:00 is not after effective"
    )
    onset = datetime(2025, 3, 5, tzinfo=BAKU)
    report = check_alert(alert(infos=(info(onset=onset),)))
    assert report.ok
    assert warnings(report) == [
        "alert/info[1]/expires: 2025-03-02T10:00:00+04:00 is before onset 2025-03-05T00:00:00+04:00"
    ]
    assert check_alert(alert(infos=(info(expires=None),))).ok


def test_languages_are_known() -> None:
    for tag in ("az", "ru-RU", "en-US", "sv-SE", "zh-tw", "es-419", "fre", "x-klingon"):
        assert check_alert(alert(infos=(info(language=tag),))).ok, tag
    assert errors(check_alert(alert(infos=(info(), info(language="qq-QQ"))))) == [
        "alert/info[2]/language: unknown language 'qq-QQ': not an ISO 639 language code"
    ]


def test_an_issued_alert_speaks_a_platform_language() -> None:
    assert check_alert(alert(infos=(info(language="ru"), info(language="en-GB"))), issuing=True).ok
    assert errors(check_alert(alert(infos=(info(language="sv"),)), issuing=True)) == [
        "alert/info[1]/language: Qalxan issues alerts in az, ru, en, not 'sv'"
    ]
    assert errors(check_alert(alert(infos=(info(language=None),)), issuing=True)) == [
        "alert/info[1]/language: an alert Qalxan issues names its language (az, ru, en)"
    ]
    assert check_alert(alert(infos=(info(language=None),))).ok  # en-US is implied when read


def test_headline_length_is_advised() -> None:
    report = check_alert(alert(infos=(info(headline="x" * 161),)))
    assert report.ok
    assert warnings(report) == ["alert/info[1]/headline: 161 characters; CAP advises at most 160"]


def test_web_is_a_full_absolute_uri() -> None:
    assert check_alert(alert(infos=(info(web="https://fhn.gov.az/x"),))).ok
    assert errors(check_alert(alert(infos=(info(web="fhn.gov.az/x"),)))) == [
        "alert/info[1]/web: 'fhn.gov.az/x' is not a full absolute URI"
    ]


def test_resources() -> None:
    def check(resource: Resource) -> Report:
        return check_alert(alert(infos=(info(resources=(resource,)),)))

    assert check(Resource("map", "image/png", 10, "https://x.az/m.png")).ok
    assert errors(check(Resource("map", "image/png", -1))) == [
        "alert/info[1]/resource[1]/size: must not be negative"
    ]
    assert errors(check(Resource("map", "image/png", uri="m.png"))) == [
        "alert/info[1]/resource[1]/uri: 'm.png' is relative, which CAP allows only to name "
        "derefUri content"
    ]
    assert check(Resource("map", "image/png", uri="m.png", deref_uri="aGVsbG8=")).ok
    assert errors(check(Resource("map", "text/plain", deref_uri="not base64!"))) == [
        "alert/info[1]/resource[1]/derefUri: is not base64-encoded content"
    ]
    report = check(Resource("map", "a picture", digest="abc"))
    assert report.ok
    assert warnings(report) == [
        "alert/info[1]/resource[1]/mimeType: 'a picture' is not a type/subtype",
        "alert/info[1]/resource[1]/digest: is not a SHA-1 digest (40 hexadecimal digits)",
    ]


def test_rules_run_on_documents_too_with_lines() -> None:
    data = xml("40.3,49.7 40.5,49.7 40.5,50.0 40.3,49.7", "40.3,49.7 40.5,49.7 40.5,50.0")
    (reading,) = read_document(data).readings
    assert reading.alert is None
    (problem,) = reading.report.errors
    assert problem.path == "alert/info[1]/area[1]/polygon[1]"
    assert "3 coordinate pairs" in problem.reason
    assert problem.line == 20
