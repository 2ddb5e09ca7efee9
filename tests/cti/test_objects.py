"""Reading STIX objects: one object and its versions, search, relationships and sightings,
ATT&CK techniques; all through the access policy, all audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from qalxan.access.policy import Hidden
from qalxan.cti import attack, ingest, markings, objects, related
from qalxan.cti.objects import Query
from qalxan.errors import Forbidden, InvalidInput, NotFound
from qalxan.settings import Settings
from tests.cti.stix_support import (
    AMBER,
    GREEN,
    ICS,
    Cast,
    audits,
    indicator,
    make_cast,
    relationship,
    sdo,
    shared,
    sighting,
)

RED = markings.tlp_id("RED")


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def names(page: objects.Page) -> list[str]:
    return sorted(row.name or "" for row in page.rows)


def test_an_object_and_its_versions(engine: Engine, cast: Cast) -> None:
    v1 = indicator()
    v2 = indicator(modified="2024-03-02T10:00:00.000Z", marking=RED)
    ingest.import_objects(cast.cert, [v1, v2])
    assert objects.body(objects.get(cast.cert, v1["id"])) == v2
    # The newest version is RED: another agency sees only the GREEN one, and not as "the object".
    with pytest.raises(Hidden):
        objects.get(cast.neighbour, v1["id"])
    assert [r.version for r in objects.versions(cast.neighbour, v1["id"])] == [v1["modified"]]
    assert objects.version(cast.neighbour, v1["id"], v1["modified"]).tlp == "GREEN"
    with pytest.raises(Hidden):
        objects.version(cast.neighbour, v1["id"], v2["modified"])
    reads = audits(engine, "cti.read")
    assert [r.outcome for r in reads] == ["success", "denied", "success", "success", "denied"]
    assert reads[1].detail["reason"] == "outside the caller's reach"


def test_a_missing_object_and_a_hidden_one_look_the_same(engine: Engine, cast: Cast) -> None:
    ingest.import_objects(cast.cert, [indicator(marking=AMBER)])
    with pytest.raises(Hidden) as hidden:
        objects.get(cast.neighbour, indicator()["id"])
    missing_id = indicator("missing")["id"]
    with pytest.raises(Hidden) as missing:
        objects.get(cast.neighbour, missing_id)
    assert hidden.value.message.replace(indicator()["id"], "X") == missing.value.message.replace(
        missing_id, "X"
    )
    assert [a.detail["reason"] for a in audits(engine, "cti.read")] == [
        "outside the caller's reach",
        "no such record",
    ]
    with pytest.raises(Forbidden):
        objects.get(cast.outsider, indicator()["id"])


def test_objects_above_the_readers_clearance_are_hidden(cast: Cast) -> None:
    secret = indicator(marking=None, object_marking_refs=[markings.classification_id("secret")])
    ingest.import_objects(cast.cert, [secret])
    with pytest.raises(Hidden):
        objects.get(cast.low, secret["id"])
    assert objects.search(cast.low, Query()).rows == []


def content() -> list[dict[str, Any]]:
    return [
        indicator("a", value="198.51.100.7"),
        indicator("b", value="203.0.113.9", description="Seen in the 50% campaign"),
        indicator("c", value="192.0.2.1", marking=AMBER),
        sdo("malware", "m", "Industroyer", is_family=True, object_marking_refs=[GREEN]),
        sdo("malware", "r", "Retired", is_family=True, object_marking_refs=[GREEN], revoked=True),
    ]


def test_search_by_type_name_text_tlp_and_revocation(engine: Engine, cast: Cast) -> None:
    ingest.import_objects(cast.cert, content())
    search = objects.search
    assert names(search(cast.cert, Query(types=("malware",)))) == ["Industroyer"]
    assert names(search(cast.cert, Query(types=("malware",), revoked=None))) == [
        "Industroyer",
        "Retired",
    ]
    assert names(search(cast.cert, Query(types=("malware",), revoked=True))) == ["Retired"]
    assert names(search(cast.cert, Query(name="industro"))) == ["Industroyer"]
    assert names(search(cast.cert, Query(name="203.0.113"))) == ["C2 server 203.0.113.9"]
    assert names(search(cast.cert, Query(text="50%"))) == ["C2 server 203.0.113.9"]
    assert names(search(cast.cert, Query(text="%"))) == ["C2 server 203.0.113.9"]  # not a wildcard
    assert names(search(cast.cert, Query(name="_"))) == []  # not a wildcard either
    assert len(search(cast.cert, Query(tlp=("amber",))).rows) == 1
    assert len(search(cast.neighbour, Query(types=("indicator",))).rows) == 2  # not the AMBER one
    [record] = [a for a in audits(engine, "cti.search") if a.detail["name"] == "industro"]
    assert record.detail["ids"] == [content()[3]["id"]]


def test_search_pages_and_limits(cast: Cast) -> None:
    ingest.import_objects(cast.cert, [indicator(str(n), value=f"10.0.0.{n}") for n in range(7)])
    first = objects.search(cast.cert, Query(limit=5))
    second = objects.search(cast.cert, Query(limit=5, offset=5))
    assert (len(first.rows), first.more, len(second.rows), second.more) == (5, True, 2, False)
    assert not {r.id for r in first.rows} & {r.id for r in second.rows}
    assert len(objects.search(cast.cert, Query(all_versions=True, limit=50)).rows) == 7
    for bad in (Query(limit=0), Query(offset=-1), Query(types=("Bad Type",)), Query(tlp=("x",))):
        with pytest.raises(InvalidInput):
            objects.search(cast.cert, bad)
    with pytest.raises(Forbidden):
        objects.search(cast.outsider, Query())


def test_several_objects_read_at_once_in_one_audited_read(engine: Engine, cast: Cast) -> None:
    green, amber = indicator("g", value="192.0.2.1"), indicator("a", marking=AMBER)
    older = indicator("v", value="192.0.2.2")
    newer = indicator("v", value="192.0.2.2", modified="2024-03-02T10:00:00.000Z")
    ingest.import_objects(cast.cert, [green, amber, older, newer])
    missing = indicator("missing")["id"]
    wanted = [green["id"], amber["id"], older["id"], missing, green["id"]]
    found = objects.newest(cast.cert, wanted)
    assert sorted(found) == sorted({green["id"], amber["id"], older["id"]})
    assert found[older["id"]].version == newer["modified"]  # the newest version
    # Another agency: the AMBER one is left out, as the missing one is.
    assert sorted(objects.newest(cast.neighbour, wanted)) == sorted([green["id"], older["id"]])
    reads = audits(engine, "cti.read")
    assert len(reads) == 2 and {r.outcome for r in reads} == {"success"}
    assert reads[1].detail == {"asked": 4, "stix_ids": sorted([green["id"], older["id"]])}
    with pytest.raises(Forbidden):
        objects.newest(cast.outsider, wanted)


def test_relationships_and_sightings_both_ways(engine: Engine, cast: Cast) -> None:
    ioc = indicator()
    malware = sdo("malware", "m", "Industroyer", is_family=True, object_marking_refs=[GREEN])
    actor = sdo("threat-actor", "t", "Sandworm", object_marking_refs=[AMBER])
    sector = sdo("identity", "i", "Energy operator", identity_class="organization")
    ties = [
        relationship(ioc["id"], "indicates", malware["id"], object_marking_refs=[GREEN]),
        relationship(actor["id"], "uses", malware["id"], object_marking_refs=[AMBER]),
        sighting(malware["id"], [sector["id"]], object_marking_refs=[GREEN]),
        sighting(ioc["id"], [sector["id"]], object_marking_refs=[GREEN]),
    ]
    ingest.import_objects(cast.cert, [ioc, malware, actor, sector, *ties])
    found = related.links(cast.cert, malware["id"])
    assert [(k.kind, k.direction, k.others) for k in found.incoming] == [
        ("indicates", "in", (ioc["id"],)),
        ("uses", "in", (actor["id"],)),
        ("sighting", "in", (sector["id"],)),
    ]
    assert found.outgoing == []
    assert found.objects[actor["id"]].name == "Sandworm"
    by_sector = related.links(cast.cert, sector["id"])
    assert sorted(k.others[0] for k in by_sector.outgoing) == sorted([malware["id"], ioc["id"]])
    out = related.links(cast.cert, ioc["id"])
    assert [(k.kind, k.direction) for k in out.outgoing] == [("indicates", "out")]
    # Another agency sees neither the AMBER relationship nor the AMBER actor.
    theirs = related.links(cast.neighbour, malware["id"])
    assert [k.kind for k in theirs.incoming] == ["indicates", "sighting"]
    assert actor["id"] not in theirs.objects
    [record] = [a for a in audits(engine, "cti.read") if a.actor_name == "neighbour"]
    assert record.detail["links"] == [ties[0]["id"], ties[2]["id"]]


def attack_pattern(seed: str, attack_id: str, **extra: Any) -> dict[str, Any]:
    reference = {"source_name": "mitre-attack", "external_id": attack_id, "url": "https://x.org"}
    return sdo(
        "attack-pattern", seed, f"Technique {seed}", external_references=[reference], **extra
    )


def test_techniques_by_attack_id(engine: Engine, cast: Cast) -> None:
    current = attack_pattern("new", "T0899")
    ingest.import_objects(
        cast.cert,
        [
            attack_pattern("old", "T0899", revoked=True),
            current,
            attack_pattern("sub", "T0899.001"),
            attack_pattern("other", "T08990"),
        ],
    )
    assert attack.technique(cast.cert, "t0899").stix_id == current["id"]
    assert [a.detail["attack_id"] for a in audits(engine, "cti.read")] == ["T0899"]
    assert attack.technique(cast.cert, "T0899.001").name == "Technique sub"
    with pytest.raises(NotFound):
        attack.technique(cast.cert, "T0898")
    with pytest.raises(InvalidInput):
        attack.technique(cast.cert, "0899")
    assert attack.attack_id_of(current) == "T0899"


def test_techniques_of_the_ics_bundle(cast: Cast) -> None:
    attack.load(cast.cert, shared(ICS))
    found = attack.technique(cast.cert, "T0800")
    assert found.stix_type == "attack-pattern"
    assert attack.attack_id_of(objects.body(found)) == "T0800"
    assert found.name == "Activate Firmware Update Mode"
