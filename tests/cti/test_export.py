"""Exporting STIX: objects exactly as stored, the marking definitions they need, the
selection filters, the access policy and the audit record; MISP export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from qalxan.cti import attack, collections, export, ingest, markings, sources
from qalxan.cti.export import Selection
from qalxan.cti.validate import bundle_errors, check
from qalxan.errors import Forbidden, InvalidInput
from qalxan.settings import Settings
from tests.cti.stix_support import (
    AMBER,
    GREEN,
    ICS,
    STIX,
    Cast,
    audits,
    indicator,
    make_cast,
    objects_of,
    relationship,
    sdo,
    shared,
)
from tests.people import make_person


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def by_id(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["id"], o.get("modified", "")): o for o in objects}


def unusual() -> list[dict[str, Any]]:
    """Objects whose JSON a careless round trip would change."""
    malware = sdo(
        "malware", "m", "Шпион «Ə» 🐍", is_family=False,
        x_acme_score=0.1, x_acme_big=12345678901234567890, x_acme_nested={"b": [1, {"a": None}]},
        object_marking_refs=[GREEN],
    )  # fmt: skip
    return [malware, indicator(), relationship(indicator()["id"], "indicates", malware["id"])]


def test_objects_round_trip_unchanged(cast: Cast) -> None:
    content = unusual()
    ingest.import_objects(cast.cert, content)
    exported = export.export_objects(cast.cert, Selection())
    sent = by_id(exported)
    assert all(sent[key] == obj for key, obj in by_id(content).items())
    added = [o for o in exported if by_id([o]).keys().isdisjoint(by_id(content))]
    assert [o["id"] for o in added] == [GREEN]  # the definition the objects reference
    assert added[0] == markings.tlp_definition("GREEN")


def test_the_bundle_is_valid_stix_and_carries_the_stored_text(engine: Engine, cast: Cast) -> None:
    ingest.import_objects(cast.cert, unusual())
    done = export.export(cast.cert, Selection())
    document = json.loads(done.text)
    assert bundle_errors(document) == [] and check(document["objects"]).errors == []
    assert (done.objects, done.definitions) == (3, 1)
    assert '"Шпион «Ə» 🐍"' in done.text and "12345678901234567890" in done.text
    [record] = audits(engine, "cti.export")
    assert record.outcome == "success" and record.detail["count"] == 3
    assert f"{indicator()['id']}@{indicator()['modified']}" in record.detail["ids"]
    assert record.detail["definitions"] == [GREEN]


def test_selection_by_type_tlp_versions_and_time(cast: Cast) -> None:
    v1, v2 = indicator(), indicator(modified="2024-03-02T10:00:00.000Z")
    amber = indicator("amber", marking=AMBER)
    unmarked = sdo("malware", "m", "Unmarked", is_family=True)
    ingest.import_objects(cast.cert, [v1, amber, unmarked])
    ingest.import_objects(cast.cert, [v2])

    def ids(selection: Selection) -> list[tuple[str, str]]:
        found = export.export_objects(cast.cert, selection)
        return sorted(
            (o["id"], o.get("modified", "")) for o in found if o["type"] != "marking-definition"
        )

    every = sorted(
        [
            (v2["id"], v2["modified"]),
            (amber["id"], amber["modified"]),
            (unmarked["id"], unmarked["modified"]),
        ]
    )
    assert ids(Selection()) == every
    assert ids(Selection(types=("malware",))) == [(unmarked["id"], unmarked["modified"])]
    assert ids(Selection(tlp="green")) == [(v2["id"], v2["modified"])]  # unmarked left out
    assert len(ids(Selection(tlp="AMBER"))) == 2
    assert ids(Selection(all_versions=True, types=("indicator",))) == sorted(
        [(v1["id"], v1["modified"]), (v2["id"], v2["modified"]), (amber["id"], amber["modified"])]
    )
    assert ids(Selection(since=datetime.now(UTC) + timedelta(hours=1))) == []
    assert ids(Selection(since=datetime.now(UTC) - timedelta(hours=1))) == every
    with pytest.raises(InvalidInput):
        export.export_objects(cast.cert, Selection(types=("Not A Type",)))
    with pytest.raises(InvalidInput):
        export.export_objects(cast.cert, Selection(tlp="purple"))


def test_a_collection_is_exported_alone(cast: Cast) -> None:
    collections.create(cast.cert, api_root="cert", title="Feed", alias="feed")
    ingest.import_objects(cast.cert, [indicator("in")], collection="feed")
    ingest.import_objects(cast.cert, [indicator("out")])
    found = export.export_objects(cast.cert, Selection(collection="feed"))
    assert [o["id"] for o in found if o["type"] == "indicator"] == [indicator("in")["id"]]


def test_classification_markings_bring_qalxans_definitions(cast: Cast) -> None:
    restricted = markings.classification_id("restricted")
    ingest.import_objects(cast.cert, [indicator(marking=None, object_marking_refs=[restricted])])
    found = {o["id"]: o for o in export.export_objects(cast.cert, Selection())}
    assert found[restricted] == markings.classification_definition("restricted")
    assert markings.identity()["id"] in found
    assert markings.classification_extension()["id"] in found
    assert check(list(found.values())).errors == []


def test_a_stored_definition_goes_out_as_stored(cast: Cast) -> None:
    own = {**markings.tlp_definition("AMBER"), "x_acme_note": "ours"}
    ingest.import_objects(cast.cert, [own, indicator(marking=AMBER)])
    found = export.export_objects(cast.cert, Selection(types=("indicator",)))
    assert [o for o in found if o["id"] == AMBER] == [own]


def test_exporting_needs_cti_export_and_shows_only_what_may_be_read(
    engine: Engine, settings: Settings, cast: Cast
) -> None:
    ingest.import_objects(cast.cert, [indicator("green"), indicator("amber", marking=AMBER)])
    with pytest.raises(Forbidden):
        export.export_objects(cast.neighbour, Selection())  # analysts read, never export
    assert audits(engine, "cti.export")[-1].outcome == "denied"
    other = make_person(engine, settings, "sbs-cert", "agency-sbs", ["cert_analyst"])
    found = export.export_objects(other.ctx(engine, settings), Selection())
    assert [o["id"] for o in found if o["type"] == "indicator"] == [indicator("green")["id"]]


def test_misp_export(cast: Cast) -> None:
    ingest.import_objects(cast.cert, [indicator(), sdo("malware", "m", "Trojan", is_family=True)])
    done = export.export(cast.cert, Selection(), "misp")
    event = json.loads(done.text)["Event"]
    values = [a["value"] for a in event.get("Attribute", [])]
    values += [a["value"] for o in event.get("Object", []) for a in o.get("Attribute", [])]
    assert "198.51.100.7" in values


def test_the_oasis_examples_round_trip(cast: Cast) -> None:
    content: list[dict[str, Any]] = []
    for unit in sources.read(shared(STIX / "examples")):
        content += unit.objects
    ingest.import_units(cast.cert, sources.read(STIX / "examples"))
    sent = by_id(export.export_objects(cast.cert, Selection()))
    assert all(sent[key] == obj for key, obj in by_id(content).items())


def test_the_ics_attack_collection_round_trips(cast: Cast) -> None:
    attack.load(cast.cert, shared(ICS))
    exported = export.export_objects(cast.cert, Selection(collection="mitre-attack-ics"))
    assert by_id(exported) == by_id(objects_of(ICS))
