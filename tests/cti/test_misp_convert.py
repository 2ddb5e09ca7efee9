"""MISP -> STIX 2.1 on small inline events: mapping, TLP 2.0, galaxies, determinism."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from misp_stix_converter.misp_stix_mapping import TLP2MarkingDefinitions
from stix2.v21 import TLP_AMBER, TLP_GREEN, TLP_RED, TLP_WHITE

from qalxan.access.markings import scheme
from qalxan.cti.misp import convert, to_stix
from qalxan.cti.misp_prepare import CLUSTER_NAMESPACE
from qalxan.cti.misp_tlp import TLP2_IDS
from qalxan.errors import InvalidInput
from tests.cti.test_misp_samples import (
    ACTOR_UUID,
    DOMAIN_UUID,
    EVENT_UUID,
    FILE_UUID,
    IP_UUID,
    ORG_UUID,
    PATTERN_UUID,
    YARA_RULE,
    YARA_UUID,
    sample_event,
)

TLP1_IDS = {TLP_WHITE.id, TLP_GREEN.id, TLP_AMBER.id, TLP_RED.id}


def by_id(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in objects}


def test_attributes_objects_tags_and_galaxies_become_stix_objects() -> None:
    objects = by_id(to_stix(sample_event()))
    report = objects[f"report--{EVENT_UUID}"]
    assert report["name"] == "Phishing wave against ministries"
    assert report["created_by_ref"] == f"identity--{ORG_UUID}"
    assert 'admiralty-scale:source-reliability="b"' in report["labels"]
    assert objects[f"identity--{ORG_UUID}"]["name"] == "CERT-AZ"
    ip = objects[f"indicator--{IP_UUID}"]
    assert ip["pattern"] == (
        "[network-traffic:dst_ref.type = 'ipv4-addr' AND "
        "network-traffic:dst_ref.value = '203.0.113.5']"
    )
    assert ip["description"] == "C2 server"
    assert objects[f"ipv4-addr--{IP_UUID}"]["value"] == "203.0.113.5"
    # Without to_ids an attribute is an observation, not an indicator.
    assert f"indicator--{DOMAIN_UUID}" not in objects
    assert objects[f"domain-name--{DOMAIN_UUID}"]["value"] == "login-gov.example"
    assert objects[f"observed-data--{DOMAIN_UUID}"]["x_misp_comment"] == "lure domain"
    file_indicator = objects[f"indicator--{FILE_UUID}"]
    assert "file:name = 'invoice.pdf.exe'" in file_indicator["pattern"]
    assert f"file:hashes.'SHA-256' = '{'a' * 64}'" in file_indicator["pattern"]
    assert objects[f"threat-actor--{ACTOR_UUID}"]["name"] == "Sofacy"
    attack = objects[f"attack-pattern--{PATTERN_UUID}"]
    assert attack["name"] == "Spearphishing Link"
    assert {"source_name": "mitre-attack", "external_id": "T1566.002"} in attack[
        "external_references"
    ]
    assert {f"threat-actor--{ACTOR_UUID}", f"attack-pattern--{PATTERN_UUID}"} <= set(
        report["object_refs"]
    )


def test_a_rule_attribute_keeps_its_rule_unbracketed() -> None:
    indicator = by_id(to_stix(sample_event()))[f"indicator--{YARA_UUID}"]
    assert indicator["pattern_type"] == "yara"
    assert indicator["pattern"] == YARA_RULE


def test_the_objects_are_json_as_in_a_bundle() -> None:
    objects = to_stix(sample_event())
    assert json.loads(json.dumps(objects)) == objects
    assert all(o["spec_version"] == "2.1" for o in objects if o["type"] != "bundle")


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("tlp:white", "CLEAR"),
        ("tlp:clear", "CLEAR"),
        ("tlp:green", "GREEN"),
        ("TLP:GREEN", "GREEN"),
        ("tlp:amber", "AMBER"),
        ("tlp:amber+strict", "AMBER+STRICT"),
        ("tlp:red", "RED"),
    ],
)
def test_tlp_tags_become_tlp2_markings(tag: str, code: str) -> None:
    document = sample_event()
    document["Event"]["Tag"][0]["name"] = tag
    objects = to_stix(document)
    marked = [o for o in objects if o.get("object_marking_refs")]
    markings = [o for o in objects if o["type"] == "marking-definition"]
    assert marked
    assert {r for o in marked for r in o["object_marking_refs"]} == {TLP2_IDS[code]}
    assert [m["id"] for m in markings] == [TLP2_IDS[code]]
    assert markings[0]["name"] == f"TLP:{code}"
    assert not TLP1_IDS & {o["id"] for o in objects}
    assert tag not in {label for o in objects for label in o.get("labels", [])}


def test_the_tlp2_ids_are_those_of_the_oasis_extension_and_misp_stix() -> None:
    assert set(TLP2_IDS) == {t.code for t in scheme().tlp}
    for code, marking_id in TLP2_IDS.items():
        definition = TLP2MarkingDefinitions.by_uuid(marking_id)
        assert definition is not None
        assert definition.name == f"TLP:{code}"
    # A near-miss AMBER id (once mistyped in this project) is no TLP 2.0 marking.
    assert TLP2_IDS["AMBER"] == "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    assert (
        TLP2MarkingDefinitions.by_uuid("marking-definition--55d920b0-5e45-4f2c-a2da-7f34d3c0a3ff")
        is None
    )


def test_converting_twice_gives_identical_objects() -> None:
    assert to_stix(sample_event()) == to_stix(sample_event())


def test_missing_uuids_and_times_are_taken_from_the_event_not_the_clock() -> None:
    document = sample_event()
    event = document["Event"]
    del event["uuid"]
    for attribute in event["Attribute"]:
        del attribute["uuid"], attribute["timestamp"]
    del event["Object"][0]["timestamp"]
    event["Attribute"][0]["Sighting"] = [
        {"type": "0", "Organisation": {"name": "Partner", "uuid": ORG_UUID.replace("1f", "2f")}}
    ]
    first, second = to_stix(document), to_stix(json.loads(json.dumps(document)))
    assert first == second
    stamps = {o["created"] for o in first if "created" in o and o["type"] != "marking-definition"}
    assert stamps == {"2024-03-01T13:33:20.000Z"}
    assert any(o["type"] == "sighting" for o in first)


def test_an_event_without_any_time_cannot_be_dated() -> None:
    document = sample_event()
    for key in ("timestamp", "publish_timestamp", "date"):
        del document["Event"][key]
    with pytest.raises(InvalidInput) as caught:
        to_stix(document)
    assert caught.value.field == "Event.timestamp"


def test_a_cluster_without_a_valid_uuid_gets_one_from_its_tag_name() -> None:
    document = sample_event()
    cluster = document["Event"]["Galaxy"][0]["GalaxyCluster"][0]
    cluster["uuid"] = ""
    other = sample_event()
    other["Event"]["uuid"] = "9b1c2f3e-4b5d-4e6f-8a7b-9c0d1e2f3a4b"
    other["Event"]["Galaxy"][0]["GalaxyCluster"][0]["uuid"] = "not-a-uuid"
    actors = [
        [o["id"] for o in to_stix(d) if o["type"] == "threat-actor"] for d in (document, other)
    ]
    expected = f"threat-actor--{uuid5(cluster['tag_name'])}"
    assert actors == [[expected], [expected]]


def test_clusters_sharing_one_uuid_stay_apart() -> None:
    document = sample_event()
    clusters = document["Event"]["Galaxy"][0]["GalaxyCluster"]
    clusters.append(
        clusters[0] | {"value": "APT29", "tag_name": 'misp-galaxy:threat-actor="APT29"'}
    )
    actors = {o["name"]: o["id"] for o in to_stix(document) if o["type"] == "threat-actor"}
    assert actors == {
        name: "threat-actor--" + uuid5(f'misp-galaxy:threat-actor="{name}"')
        for name in ("Sofacy", "APT29")
    }


def test_several_events_share_their_identity_and_markings_once() -> None:
    first = sample_event()["Event"]
    second = sample_event()["Event"] | {"uuid": "9b1c2f3e-4b5d-4e6f-8a7b-9c0d1e2f3a4b"}
    second["Attribute"] = []
    second["Object"] = []
    objects = to_stix({"response": [{"Event": first}, {"Event": second}]})
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))
    assert {f"report--{EVENT_UUID}", "report--9b1c2f3e-4b5d-4e6f-8a7b-9c0d1e2f3a4b"} <= set(ids)
    assert ids.count(f"identity--{ORG_UUID}") == 1


def test_a_url_that_is_no_uri_is_kept_and_noted() -> None:
    document = sample_event()
    document["Event"]["Attribute"][1].update(type="url", value="igfxtray.exe")
    conversion = convert(document)
    url = by_id(conversion.objects)[f"url--{DOMAIN_UUID}"]
    assert url["value"] == "igfxtray.exe"
    assert any(f"url--{DOMAIN_UUID}" in note for note in conversion.notes)


def test_an_unmapped_type_is_kept_as_a_custom_object_and_noted() -> None:
    document = sample_event()
    document["Event"]["Attribute"][1].update(type="text", category="Other", value="a remark")
    conversion = convert(document)
    custom = by_id(conversion.objects)[f"x-misp-attribute--{DOMAIN_UUID}"]
    assert custom["x_misp_value"] == "a remark"
    assert conversion.notes == ("Event: MISP Attribute type text not mapped.",)


def test_a_malformed_event_is_refused_before_conversion() -> None:
    document = sample_event()
    document["Event"]["Attribute"][0]["value"] = "not-an-ip"
    with pytest.raises(InvalidInput) as caught:
        to_stix(document)
    assert caught.value.field == "Event.Attribute[0].value"


def uuid5(name: str) -> str:
    return str(uuid.uuid5(CLUSTER_NAMESPACE, name))


def _paths(node: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


@pytest.mark.parametrize("damage", [None, "x", [], "delete"])
def test_a_damaged_event_converts_or_is_refused_never_crashes(damage: object) -> None:
    refused = 0
    for path in _paths(sample_event()):
        document: Any = sample_event()
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if damage == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = damage
        try:
            to_stix(document)
        except InvalidInput:
            refused += 1
    assert refused
