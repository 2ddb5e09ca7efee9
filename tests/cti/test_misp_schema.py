"""Validation of MISP documents: shapes, the schema, MISP's attribute rules, value checks."""

from __future__ import annotations

from typing import Any

import pytest

from qalxan.cti.misp_document import from_json
from qalxan.cti.misp_problems import InvalidMispEvent
from qalxan.cti.misp_schema import validate
from qalxan.cti.misp_values import check_value
from qalxan.errors import InvalidInput
from tests.cti.test_misp_samples import EVENT_UUID, sample_event


def problems_of(document: object) -> list[str]:
    with pytest.raises(InvalidMispEvent) as caught:
        validate(document)
    return [str(p) for p in caught.value.problems]


def attribute(**changes: Any) -> dict[str, Any]:
    document = sample_event()
    document["Event"]["Attribute"][0].update(changes)
    return document


def test_the_three_shapes_of_a_misp_export_are_accepted() -> None:
    wrapped = sample_event()
    bare = wrapped["Event"]
    second = sample_event()["Event"] | {"uuid": "9a1c2f3e-4b5d-4e6f-8a7b-9c0d1e2f3a4b"}
    assert [x.path for x in validate(wrapped)] == ["Event"]
    assert [x.path for x in validate(bare)] == ["Event"]
    response = {"response": [{"Event": bare}, {"Event": second}]}
    assert [x.path for x in validate(response)] == ["response[0].Event", "response[1].Event"]
    assert [x.path for x in validate([{"Event": bare}])] == ["[0].Event"]


def test_an_event_shared_with_a_sharing_group_is_still_an_event() -> None:
    bare = sample_event()["Event"] | {"SharingGroup": {"uuid": EVENT_UUID, "name": "CERTs"}}
    assert validate(bare)[0].event["info"] == "Phishing wave against ministries"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([{"SharingGroup": {"name": "x"}, "Organisation": {}}], "a MISP sharing group"),
        ([{"info": "x", "EventTag": [], "orgc": ""}], "a row of MISP's event index"),
        ({"type": "ip-dst", "value": "203.0.113.5"}, "a MISP attribute, not an event"),
        ({"name": "file", "template_uuid": EVENT_UUID, "Attribute": []}, "a MISP object"),
        ({"response": {"Attribute": []}}, "a restSearch result of attributes"),
        ([], "an empty list holds no MISP event"),
        ("an event", "not a MISP event: a JSON str"),
        ({"title": "x"}, "not a MISP event (keys: title)"),
        ({"Event": ["x"]}, "Event: must be an object"),
    ],
)
def test_documents_that_are_not_events_are_refused_by_name(document: object, reason: str) -> None:
    assert any(reason in p for p in problems_of(document))


def test_a_missing_title_is_refused_naming_event_info() -> None:
    document = sample_event()
    del document["Event"]["info"]
    with pytest.raises(InvalidInput) as caught:
        validate(document)
    assert caught.value.field == "Event.info"
    assert caught.value.message == "Event.info: required: MISP needs the event's title"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"type": "ipsrc"}, "Event.Attribute[0].type: 'ipsrc' is not a MISP attribute type"),
        ({"uuid": "not-a-uuid"}, "Event.Attribute[0].uuid: 'not-a-uuid' is not a UUID"),
        (
            {"value": "not-an-ip"},
            "Event.Attribute[0].value: 'not-an-ip' is not a valid ip-dst: "
            "IP address has an invalid format.",
        ),
        (
            {"category": "Antivirus detection"},
            "Event.Attribute[0].category: type 'ip-dst' is not allowed in category "
            "'Antivirus detection'",
        ),
        ({"category": "Network"}, "Event.Attribute[0].category: 'Network' is not a MISP category"),
        (
            {"timestamp": "yesterday"},
            "Event.Attribute[0].timestamp: 'yesterday' is not a timestamp "
            "(whole seconds since 1970-01-01 UTC)",
        ),
        ({"distribution": "7"}, "Event.Attribute[0].distribution: '7' is not one of 0, 1, 2"),
        ({"to_ids": "yes"}, "Event.Attribute[0].to_ids: must be of type boolean, not a string"),
        ({"value": "  "}, "Event.Attribute[0].value: must not be empty"),
    ],
)
def test_a_broken_attribute_is_refused_naming_the_field(
    changes: dict[str, Any], expected: str
) -> None:
    assert any(p.startswith(expected) for p in problems_of(attribute(**changes)))


def test_object_and_event_rules() -> None:
    document = sample_event()
    event = document["Event"]
    event["date"] = "2024-13-01"
    event["uuid"] = "6a1c2f3e"
    del event["Object"][0]["name"]
    del event["Object"][0]["Attribute"][1]["object_relation"]
    event["Object"][0]["Attribute"][1]["value"] = "abc"
    event["Galaxy"][0]["GalaxyCluster"][0]["value"] = ""
    event["Tag"].append({"colour": "#ffffff"})
    found = problems_of(document)
    assert found == [
        "Event.uuid: '6a1c2f3e' is not a UUID",
        "Event.date: '2024-13-01' is not a YYYY-MM-DD date",
        "Event.Tag[4].name: required",
        "Event.Object[0].name: required: the object template's name",
        "Event.Object[0].Attribute[1].object_relation: required in an object",
        "Event.Object[0].Attribute[1].value: 'abc' is not a valid sha256: Checksum has an "
        "invalid length or format (expected: 64 hexadecimal characters). Please double check "
        'the value or select type "other".',
        "Event.Galaxy[0].GalaxyCluster[0].value: required",
    ]


def test_several_problems_are_reported_at_once_with_the_first_as_field() -> None:
    document = attribute(type="ipsrc", uuid="x")
    del document["Event"]["info"]
    with pytest.raises(InvalidMispEvent) as caught:
        validate(document)
    error = caught.value
    assert len(error.problems) == 3
    assert error.field == error.problems[0].path
    assert all(str(p) in error.message for p in error.problems)


def test_schema_problems_name_the_path_and_the_json_type() -> None:
    document = sample_event()
    document["Event"]["info"] = 5
    document["Event"]["Orgc"]["name"] = ["CERT-AZ"]
    document["Event"]["Attribute"][2]["Tag"] = {"name": "x"}
    found = problems_of(document)
    assert "Event.info: must be of type string, not 5" in found
    assert "Event.Orgc.name: must be of type string, not a list" in found
    assert "Event.Attribute[2].Tag: must be of type array, not an object" in found


def test_a_repeated_attribute_is_refused_as_the_schema_says() -> None:
    document = sample_event()
    attributes = document["Event"]["Attribute"]
    attributes.append(dict(attributes[1]))
    assert problems_of(document) == ["Event.Attribute[3]: repeats item [1] of the same list"]


def test_problems_of_a_response_name_the_event_they_belong_to() -> None:
    broken = attribute(value="999.1.1.1")["Event"]
    found = problems_of({"response": [{"Event": sample_event()["Event"]}, {"Event": broken}]})
    assert found == [
        "response[1].Event.Attribute[0].value: '999.1.1.1' is not a valid ip-dst: "
        "IP address has an invalid format."
    ]


def test_unreadable_json_is_refused_with_its_position() -> None:
    with pytest.raises(InvalidMispEvent) as caught:
        from_json('{"Event": {"info": }')
    assert caught.value.message.startswith("not JSON: Expecting value at line 1 column")
    assert from_json(b'{"Event": {}}') == {"Event": {}}


@pytest.mark.parametrize(
    ("misp_type", "value"),
    [
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("filename|sha256", "a b.exe|" + "0" * 64),
        ("ip-src", "10.0.0.0/8"),
        ("ip-dst", "2001:db8::1"),
        ("ip-dst|port", "203.0.113.5|443"),
        ("domain", "xn--80ak6aa92e.com"),
        ("hostname", "mail.gov.az"),
        ("ip-dst", "198.51.100[.]7"),
        ("url", "hxxp://bad[.]example/x"),
        ("vulnerability", "CVE-2015-1641"),
        ("domain|ip", "example.com|198.51.100.1"),
        ("email-src", "bill_clay6801@yahoo.com"),
        ("url", "Data/glp.uin"),
        ("port", "65535"),
        ("AS", "AS64496"),
        ("mac-address", "00:1A:2b:3c:4D:5e"),
        ("datetime", "2019-02-22 20:10:06"),
        ("text", "anything at all"),
    ],
)
def test_plausible_values_pass(misp_type: str, value: str) -> None:
    assert check_value(misp_type, value) is None


@pytest.mark.parametrize(
    ("misp_type", "value"),
    [
        ("md5", "d41d8cd98f00b204e9800998ecf8427"),
        ("sha256", "g" * 64),
        ("filename|md5", "a.exe"),
        ("ip-src", "300.1.1.1"),
        ("ip-dst|port", "203.0.113.5|70000"),
        ("domain", "localhost"),
        ("email-dst", "no-at-sign.example"),
        ("email-src", "two words@example.com"),
        ("url", "http://a b"),
        ("port", "-1"),
        ("mac-address", "00:1A:2b:3c:4D"),
        ("float", "1,5"),
        ("datetime", "not a date"),
        ("link", "x"),
        ("size-in-bytes", "12a"),
    ],
)
def test_implausible_values_are_refused(misp_type: str, value: str) -> None:
    assert check_value(misp_type, value)
