"""Every MISP sample of ../shared/data/cti/misp/events either converts or is refused by name.

The samples are PyMISP's test events (BSD-2): real exports from MISP instances, with their
warts (clusters without a uuid, clusters sharing one, urls without a scheme).
"""

from __future__ import annotations

import collections
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance

from qalxan.cti.misp import Conversion, convert, to_misp
from qalxan.cti.misp_schema import validate
from qalxan.cti.misp_tlp import TLP1_TO_TLP2, TLP2_IDS, tlp2_definition
from qalxan.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
EVENTS = SHARED / "data" / "cti" / "misp" / "events"
TLP2 = SHARED / "data" / "cti" / "stix" / "tlp2"

REFUSED = {
    "search_index_result.json": "[0]: a row of MISP's event index (events/index)",
    "sharing_groups.json": "[0]: a MISP sharing group, not an event",
}
# Objects by STIX type, as misp-stix makes them (a regression table: a misp-stix upgrade that
# changes one of these is worth reading before the table is updated).
COUNTS = {
    "long_event.json": {
        "domain-name": 24, "email-addr": 2, "email-message": 7, "file": 246, "identity": 1,
        "indicator": 260, "ipv4-addr": 9, "marking-definition": 1, "network-traffic": 9,
        "observed-data": 361, "relationship": 258, "report": 1, "url": 78, "vulnerability": 4,
        "x-misp-attribute": 3,
    },
    "galaxy_1.json": {
        "artifact": 1, "attack-pattern": 2, "course-of-action": 1, "file": 3, "grouping": 1,
        "identity": 1, "indicator": 2, "intrusion-set": 2, "malware": 5,
        "marking-definition": 1, "observed-data": 4, "relationship": 10, "url": 1,
        "x-misp-attribute": 1, "x-misp-galaxy-cluster": 4, "x-misp-object": 1,
    },
}  # fmt: skip
CONVERTED = sorted(
    [
        "57c4445b-c548-4654-af0b-4be3950d210f.json",
        "existing_event.json",
        "galaxy_1.json",
        "image_event.json",
        "long_event.json",
        "mainly_objects_1.json",
        "misp_event.json",
        "sighting_1.json",
    ]
)
# Indicators whose pattern must hold the attribute's value, by MISP type.
PATTERNED = {"ip-dst", "ip-src", "domain", "hostname", "md5", "sha1", "sha256", "url", "filename"}
RULES = {"yara", "snort", "sigma", "suricata"}


def sample(name: str) -> Any:
    if not EVENTS.exists():
        pytest.skip(f"reference data absent: {EVENTS} (set QALXAN_SHARED_DIR)")
    return json.loads((EVENTS / name).read_text("utf-8"))


@cache
def converted(name: str) -> Conversion:
    return convert(sample(name))


def event_of(name: str) -> dict[str, Any]:
    document = sample(name)
    return dict(document.get("Event", document))


def test_every_sample_is_classified() -> None:
    if not EVENTS.exists():
        pytest.skip(f"reference data absent: {EVENTS} (set QALXAN_SHARED_DIR)")
    names = {p.name for p in EVENTS.glob("*.json")}
    assert names == set(REFUSED) | set(CONVERTED)


@pytest.mark.parametrize(("name", "reason"), sorted(REFUSED.items()))
def test_documents_that_are_not_events_are_refused(name: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        convert(sample(name))
    assert caught.value.message.startswith(reason)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_object_counts(name: str) -> None:
    found = collections.Counter(o["type"] for o in converted(name).objects)
    assert dict(found) == COUNTS[name]


@pytest.mark.parametrize("name", CONVERTED)
def test_the_event_is_one_report_or_grouping_holding_every_attribute(name: str) -> None:
    event, objects = event_of(name), converted(name).objects
    kind = "report" if event.get("published") else "grouping"
    containers = [o for o in objects if o["type"] in ("report", "grouping")]
    assert [c["id"] for c in containers] == [f"{kind}--{event['uuid']}"]
    suffixes = {o["id"].partition("--")[2] for o in objects}
    assert {a["uuid"] for a in event.get("Attribute", [])} <= suffixes


@pytest.mark.parametrize("name", CONVERTED)
def test_indicators_carry_the_value_of_their_attribute(name: str) -> None:
    objects = {o["id"]: o for o in converted(name).objects}
    checked = 0
    for attribute in event_of(name).get("Attribute", []):
        if attribute.get("to_ids") and attribute["type"] in PATTERNED:
            indicator = objects[f"indicator--{attribute['uuid']}"]
            escaped = attribute["value"].replace("\\", "\\\\").replace("'", "\\'")
            assert f"'{escaped}'" in indicator["pattern"]
            checked += 1
        elif attribute["type"] in RULES:
            assert objects[f"indicator--{attribute['uuid']}"]["pattern"] == attribute["value"]
    assert checked or name in {"misp_event.json", "mainly_objects_1.json"}


@pytest.mark.parametrize("name", CONVERTED)
def test_tlp_white_becomes_the_tlp2_clear_marking(name: str) -> None:
    event, objects = event_of(name), converted(name).objects
    ids = {o["id"] for o in objects}
    assert not ids & set(TLP1_TO_TLP2)
    container = next(o for o in objects if o["type"] in ("report", "grouping"))
    if "tlp:white" in {t["name"] for t in event.get("Tag", [])}:
        assert container["object_marking_refs"] == [TLP2_IDS["CLEAR"]]
        assert TLP2_IDS["CLEAR"] in ids
    else:
        assert "object_marking_refs" not in container


def test_the_tlp2_definitions_are_those_oasis_publishes() -> None:
    if not TLP2.exists():
        pytest.skip(f"reference data absent: {TLP2} (set QALXAN_SHARED_DIR)")
    strict = json.loads((TLP2 / "tlp-amber+strict.json").read_text("utf-8"))["objects"][0]
    assert tlp2_definition(TLP2_IDS["AMBER+STRICT"]) == strict
    green = json.loads((TLP2 / "using-tlp2.0-green.json").read_text("utf-8"))["objects"]
    assert {r for o in green for r in o.get("object_marking_refs", [])} == {TLP2_IDS["GREEN"]}


@pytest.mark.parametrize("name", CONVERTED)
def test_every_galaxy_cluster_becomes_one_stix_object(name: str) -> None:
    event = event_of(name)
    holders = [event, *event.get("Attribute", [])]
    holders += [a for o in event.get("Object", []) for a in o["Attribute"]]
    names = {
        c["tag_name"]
        for holder in holders
        for g in holder.get("Galaxy", [])
        for c in g["GalaxyCluster"]
    }
    made = [
        o
        for o in converted(name).objects
        if any(label.startswith("misp:galaxy-type=") for label in o.get("labels", []))
    ]
    assert len(made) == len(names)


def test_galaxies_map_to_their_stix_types() -> None:
    def named(name: str, kind: str) -> set[str]:
        return {o["name"] for o in converted(name).objects if o["type"] == kind}

    assert named("galaxy_1.json", "intrusion-set") == {"APT1", "APT12"}
    assert named("galaxy_1.json", "attack-pattern") == {
        "Account Manipulation",
        "Permission Groups Discovery",
    }
    assert named("galaxy_1.json", "course-of-action") == {"Account Discovery Mitigation"}
    assert named("existing_event.json", "threat-actor") == {"Sofacy"}
    # Both exploit kits share one cluster uuid in the export; both survive.
    assert {"Sednit EK", "DealersChoice"} <= named("existing_event.json", "tool")
    assert named("sighting_1.json", "malware") == {"Gozi"}


def test_sightings_become_sightings_and_false_positives_opinions() -> None:
    kinds = collections.Counter(
        s["type"] for a in event_of("sighting_1.json")["Attribute"] for s in a.get("Sighting", [])
    )
    made = collections.Counter(o["type"] for o in converted("sighting_1.json").objects)
    assert (made["sighting"], made["opinion"]) == (kinds["0"], kinds["1"])


def test_what_misp_stix_cannot_convert_is_noted() -> None:
    notes = converted("mainly_objects_1.json").notes
    assert sum("Error with the pe object" in n for n in notes) == 2


@pytest.mark.parametrize("name", CONVERTED)
def test_conversion_is_deterministic(name: str) -> None:
    assert convert(sample(name)).objects == converted(name).objects


@pytest.mark.parametrize("name", CONVERTED)
def test_the_stix_is_valid_but_for_the_noted_urls(name: str) -> None:
    conversion = converted(name)
    options = ValidationOptions(version="2.1")
    invalid = {o["id"] for o in conversion.objects if not validate_instance(o, options).is_valid}
    noted = {i for i in invalid if any(n.startswith(f"Event: {i}:") for n in conversion.notes)}
    assert invalid == noted
    assert all(i.startswith("url--") for i in invalid)


def _attributes(event: dict[str, Any]) -> set[tuple[Any, ...]]:
    keys = ("uuid", "category", "type", "value", "comment")
    return {tuple(a.get(k, "") for k in keys) for a in event.get("Attribute", [])}


def _object_attributes(event: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {
        (o["uuid"], o["name"], a["object_relation"], a["type"], _same_time(a))
        for o in event.get("Object", [])
        for a in o["Attribute"]
    }


def _same_time(attribute: dict[str, Any]) -> str:
    value: str = attribute["value"]
    # misp-stix writes a datetime back in ISO 8601 with an offset: the same instant.
    return value[:19].replace("T", " ") if attribute["type"] == "datetime" else value


def _sightings(event: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Seen (0) and false positive (1); an expiration (2) has no STIX counterpart."""
    return {
        (a["uuid"], s["type"], s["date_sighting"])
        for a in event.get("Attribute", [])
        for s in a.get("Sighting", [])
        if s["type"] in ("0", "1")
    }


def _tags(event: dict[str, Any]) -> set[str]:
    names = {t["name"] for t in event.get("Tag", [])}
    return {"tlp:clear" if n == "tlp:white" else n for n in names}


def _clusters(event: dict[str, Any]) -> set[tuple[str, str]]:
    return {(g["type"], c["value"]) for g in event.get("Galaxy", []) for c in g["GalaxyCluster"]}


@pytest.mark.parametrize("name", CONVERTED)
def test_round_trip(name: str) -> None:
    source = event_of(name)
    back = to_misp(converted(name).objects)
    validate(back)
    event = back["Event"]
    assert (event["uuid"], event["info"]) == (source["uuid"], source["info"])
    assert event["published"] == source["published"]
    assert _attributes(event) == _attributes(source)
    rule_ids = {a["uuid"] for a in source.get("Attribute", []) if a["type"] in RULES}
    flags = {a["uuid"]: a["to_ids"] for a in event.get("Attribute", [])}
    assert all(
        flags[a["uuid"]] == a["to_ids"] or a["uuid"] in rule_ids
        for a in source.get("Attribute", [])
    )
    assert _object_attributes(event) == _object_attributes(source)
    producer = f'misp-galaxy:producer="{source["Orgc"]["name"]}"'
    assert _tags(event) == _tags(source) | {producer}
    assert _clusters(event) == _clusters(source)
    assert _sightings(event) == _sightings(source)
