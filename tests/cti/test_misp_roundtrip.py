"""STIX -> MISP, and what a MISP -> STIX -> MISP round trip keeps (docs/misp.md lists it)."""

from __future__ import annotations

from typing import Any

import pytest

from qalxan.cti.misp import to_misp, to_stix
from qalxan.cti.misp_schema import validate
from qalxan.errors import InvalidInput
from tests.cti.test_misp_samples import EVENT_UUID, sample_event

Event = dict[str, Any]


def attributes(event: Event) -> set[tuple[Any, ...]]:
    keys = ("uuid", "category", "type", "value", "to_ids", "comment")
    return {tuple(a.get(k, "") for k in keys) for a in event.get("Attribute", [])}


def object_attributes(event: Event) -> set[tuple[Any, ...]]:
    """Object attributes by object, relation, type and value; their own uuids are not kept."""
    return {
        (o["uuid"], o["name"], a["object_relation"], a["category"], a["type"], a["value"])
        for o in event.get("Object", [])
        for a in o.get("Attribute", [])
    }


def tags(event: Event) -> set[str]:
    return {t["name"] for t in event.get("Tag", [])}


def clusters(event: Event) -> set[tuple[str, str, str]]:
    return {
        (g["type"], c["uuid"], c["value"])
        for g in event.get("Galaxy", [])
        for c in g.get("GalaxyCluster", [])
    }


def test_a_round_trip_keeps_attributes_objects_tags_and_galaxies() -> None:
    source = sample_event()["Event"]
    back = to_misp(to_stix(sample_event()))["Event"]
    assert back["uuid"] == EVENT_UUID
    assert back["info"] == source["info"]
    assert (back["published"], back["publish_timestamp"]) == (True, source["publish_timestamp"])
    assert attributes(back) == attributes(source)
    assert object_attributes(back) == object_attributes(source)
    # The producer is the event's creator organisation, read back as a galaxy tag.
    assert tags(back) == tags(source) | {'misp-galaxy:producer="CERT-AZ"'}
    assert clusters(back) == clusters(source)
    attribute_tags = {t["name"] for a in back["Attribute"] for t in a.get("Tag", [])}
    assert attribute_tags == {"kill-chain:Command and Control"}


def test_what_a_round_trip_does_not_keep() -> None:
    back = to_misp(to_stix(sample_event()))["Event"]
    assert "date" not in back
    assert "threat_level_id" not in back
    assert "analysis" not in back
    assert back["distribution"] == "0"


def test_tlp_white_comes_back_as_its_tlp2_name() -> None:
    document = sample_event()
    document["Event"]["Tag"][0]["name"] = "tlp:white"
    assert "tlp:clear" in tags(to_misp(to_stix(document))["Event"])


def test_the_exported_event_passes_the_import_validation_and_is_stable() -> None:
    objects = to_stix(sample_event())
    exported = to_misp(objects)
    assert [x.path for x in validate(exported)] == ["Event"]
    assert to_misp(objects) == exported


def test_stix_from_elsewhere_becomes_an_event_through_the_external_parser() -> None:
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2024-03-01T10:00:00.000Z",
        "modified": "2024-03-01T10:00:00.000Z",
        "name": "C2 address",
        "pattern": "[ipv4-addr:value = '198.51.100.7']",
        "pattern_type": "stix",
        "valid_from": "2024-03-01T10:00:00Z",
    }
    event = to_misp([indicator])["Event"]
    values = {(a["type"], a["value"]) for a in event.get("Attribute", [])}
    values |= {(a["type"], a["value"]) for o in event.get("Object", []) for a in o["Attribute"]}
    assert ("ip-dst", "198.51.100.7") in values or ("ip-src", "198.51.100.7") in values
    assert event["info"]


@pytest.mark.parametrize(
    ("objects", "field"),
    [
        ([], "objects"),
        ([{"id": "x"}], "objects[0]"),
        ([{"type": "indicator", "id": "indicator--nope", "pattern": "x"}], "objects[0]"),
    ],
)
def test_objects_that_are_not_stix_are_refused(objects: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        to_misp(objects)
    assert caught.value.field == field
