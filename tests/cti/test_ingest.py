"""Importing STIX content: validated, stored once, all or nothing per unit, audited; read from
bundles, single objects, FileSystemStore directories and MISP events; ATT&CK loaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from stix2 import FileSystemSink

from qalxan.cti import attack, collections, ingest, markings, objects, sources
from qalxan.cti.tables import CtiEntryRow, CtiObjectRow
from qalxan.cti.validate import InvalidStix
from qalxan.errors import Forbidden, InvalidInput
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.cti.stix_support import (
    BROKEN,
    CTI_DATA,
    GREEN,
    ICS,
    MOBILE,
    STIX,
    Cast,
    audits,
    indicator,
    load,
    make_cast,
    objects_of,
    sdo,
    shared,
)


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def stored(engine: Engine) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        query = select(CtiObjectRow.stix_id, CtiObjectRow.version)
        return sorted(tuple(row) for row in session.execute(query))  # type: ignore[misc]


def bundle_file(path: Path, objects_: list[dict[str, Any]], **envelope: Any) -> Path:
    document = {"type": "bundle", "id": "bundle--0b3f9c53-4c1a-4d7e-8f4b-2b6c1d3e5f70"}
    path.write_text(json.dumps({**document, **envelope, "objects": objects_}), "utf-8")
    return path


def test_an_import_stores_once_and_is_audited(engine: Engine, cast: Cast) -> None:
    content = [
        indicator("a"),
        indicator("b", value="203.0.113.9"),
        markings.tlp_definition("GREEN"),
    ]
    result = ingest.import_objects(cast.cert, content, source="feed.json")
    assert (result.stored, result.already, result.rejected) == (3, 0, [])
    again = ingest.import_objects(cast.cert, content, source="feed.json")
    assert (again.stored, again.already) == (0, 3)
    assert len(stored(engine)) == 3
    [first, second] = audits(engine, "cti.import")
    assert first.outcome == "success" and first.record_agency == "agency-ess"
    assert first.detail["source"] == "feed.json"
    assert (first.detail["stored"], second.detail["stored"], second.detail["already"]) == (3, 0, 3)
    with transaction(engine) as session:
        types = session.scalars(select(CtiObjectRow.stix_type).order_by(CtiObjectRow.stix_type))
        assert list(types) == ["indicator", "indicator", "marking-definition"]


def test_new_versions_and_revocation(engine: Engine, cast: Cast) -> None:
    v1 = indicator()
    v2 = indicator(modified="2024-03-02T10:00:00.000Z", name="C2 server, confirmed")
    v3 = {**v2, "modified": "2024-03-03T10:00:00.000Z", "revoked": True}
    for version in (v1, v2, v3):
        ingest.import_objects(cast.cert, [version])
    latest = objects.get(cast.cert, v1["id"])
    assert (latest.version, latest.revoked) == (v3["modified"], True)
    assert objects.body(latest) == v3
    kept = objects.versions(cast.cert, v1["id"])
    assert [objects.body(r) for r in kept] == [v1, v2, v3]
    assert objects.body(objects.version(cast.cert, v1["id"], v1["modified"])) == v1


def test_one_invalid_object_refuses_the_whole_bundle(engine: Engine, cast: Cast) -> None:
    bad = indicator("bad", created="2022-101-27T13:49:54.326Z")
    with pytest.raises(InvalidStix) as raised:
        ingest.import_objects(cast.cert, [indicator("good"), bad])
    assert raised.value.field == "created" and bad["id"] in raised.value.message
    assert stored(engine) == []
    [refused] = audits(engine, "cti.import")
    assert refused.outcome == "invalid" and bad["id"] in refused.detail["reason"]


def test_importing_needs_cti_create(engine: Engine, cast: Cast) -> None:
    for ctx in (cast.neighbour, cast.outsider):
        with pytest.raises(Forbidden):
            ingest.import_objects(ctx, [indicator()])
    assert stored(engine) == []
    assert [a.outcome for a in audits(engine, "cti.import")] == ["denied", "denied"]


def test_objects_above_the_importers_clearance_are_refused(engine: Engine, cast: Cast) -> None:
    secret = indicator(
        "s", marking=None, object_marking_refs=[markings.classification_id("secret")]
    )
    with pytest.raises(InvalidStix) as raised:
        ingest.import_objects(cast.low, [indicator("fine"), secret])
    assert raised.value.field == "object_marking_refs"
    assert "above your clearance" in raised.value.message
    assert stored(engine) == []
    assert ingest.import_objects(cast.cert, [secret]).stored == 1  # cleared SECRET


def test_a_crash_stores_nothing_and_the_rerun_stores_everything_once(
    engine: Engine, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = [indicator(str(n), value=f"198.51.100.{n}") for n in range(5)]

    def crash(*_: Any) -> None:
        raise RuntimeError("the power went out")

    with monkeypatch.context() as patch:
        patch.setattr(ingest, "_detail", crash)  # after the objects were put
        with pytest.raises(RuntimeError):
            ingest.import_objects(cast.cert, content)
    assert stored(engine) == []
    assert ingest.import_objects(cast.cert, content).stored == 5
    assert len(stored(engine)) == 5


def test_files_are_kept_or_refused_whole(engine: Engine, cast: Cast, tmp_path: Path) -> None:
    ingest.import_objects(cast.cert, [indicator("a")])
    folder = tmp_path / "in"
    folder.mkdir()
    bundle_file(folder / "a-good.json", [indicator("e")])
    bundle_file(
        folder / "b-bad.json",
        [indicator("b"), indicator("c", created="2024-02-30T10:00:00.000Z")],
    )
    (folder / "c-garbage.json").write_text("{not json", "utf-8")
    (folder / "d-other.json").write_text('{"hello": "world"}', "utf-8")
    bundle_file(folder / "e-clash.json", [indicator("d"), indicator("a", name="other")])
    result = ingest.import_units(cast.cert, sources.read(folder), source=str(folder))
    assert (result.stored, result.already) == (1, 0)
    assert {s[0] for s in stored(engine)} == {indicator("a")["id"], indicator("e")["id"]}
    reasons = {Path(r.origin).name: str(r.problems[0]) for r in result.rejected}
    assert set(reasons) == {"b-bad.json", "c-garbage.json", "d-other.json", "e-clash.json"}
    assert "created" in reasons["b-bad.json"] and "not a valid timestamp" in reasons["b-bad.json"]
    assert "not JSON" in reasons["c-garbage.json"]
    assert "neither STIX" in reasons["d-other.json"]
    assert "another object with this id and version" in reasons["e-clash.json"]
    record = audits(engine, "cti.import")[-1]
    assert record.outcome == "success" and record.detail["rejected_count"] == 4


def test_of_two_files_giving_one_version_differently_the_first_wins(
    engine: Engine, cast: Cast, tmp_path: Path
) -> None:
    bundle_file(tmp_path / "one.json", [indicator("x"), indicator("y")])
    bundle_file(tmp_path / "two.json", [indicator("z"), indicator("x", name="other")])
    bundle_file(tmp_path / "three.json", [indicator("w"), indicator("w", name="other")])
    result = ingest.import_units(cast.cert, sources.read(tmp_path))
    assert sorted(Path(r.origin).name for r in result.rejected) == ["three.json", "two.json"]
    assert {s[0] for s in stored(engine)} == {indicator("x")["id"], indicator("y")["id"]}


def test_a_filesystem_store_directory_is_read_recursively(
    engine: Engine, cast: Cast, tmp_path: Path
) -> None:
    (tmp_path / "store").mkdir()
    sink = FileSystemSink(str(tmp_path / "store"))
    malware = sdo("malware", "m", "Industroyer", is_family=True)
    content = [
        indicator(),
        indicator(modified="2024-03-02T10:00:00.000Z"),
        malware,
        markings.tlp_definition("AMBER"),
    ]
    for obj in content:
        sink.add(obj)
    files = sources.files(tmp_path / "store")
    assert len(files) == 4
    assert any(f.parent.name == indicator()["id"] for f in files)  # <type>/<id>/<modified>
    result = ingest.import_units(cast.cert, sources.read(tmp_path / "store"))
    assert (result.stored, result.rejected) == (4, [])
    on_disk = sorted((json.loads(f.read_text()) for f in files), key=json.dumps)
    with transaction(engine) as session:
        bodies = [json.loads(b) for b in session.scalars(select(CtiObjectRow.body))]
    assert sorted(bodies, key=json.dumps) == on_disk


def test_a_single_object_file_and_a_list_of_objects(cast: Cast, tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(indicator("one")), "utf-8")
    several = tmp_path / "several.json"
    several.write_text(json.dumps([indicator("x"), indicator("y")]), "utf-8")
    assert [u.kind for u in sources.read(tmp_path)] == ["object", "objects"]
    assert ingest.import_units(cast.cert, sources.read(tmp_path)).stored == 3


def test_a_collection_named_by_alias_receives_the_objects(engine: Engine, cast: Cast) -> None:
    row = collections.create(cast.cert, api_root="cert", title="Feed", alias="feed")
    result = ingest.import_objects(cast.cert, [indicator()], collection="feed")
    assert result.collection_id == row.id and result.added == 1
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(CtiEntryRow)) == 1
    with pytest.raises(InvalidInput) as unknown:
        ingest.import_objects(cast.cert, [indicator()], collection="nowhere")
    assert unknown.value.field == "collection"


def test_another_agencys_collection_is_not_written_without_a_right(
    engine: Engine, settings: Settings, cast: Cast
) -> None:
    from tests.people import make_person

    other = make_person(engine, settings, "sbs-cert", "agency-sbs", ["cert_analyst"])
    collections.create(other.ctx(engine, settings), api_root="cert", title="SBS", alias="sbs")
    with pytest.raises(InvalidInput):  # not known to exist for the CERT
        ingest.import_objects(cast.cert, [indicator()], collection="sbs")
    assert stored(engine) == []


@pytest.mark.parametrize("kind", ["examples", "threat-reports"])
def test_the_oasis_examples_load(engine: Engine, cast: Cast, kind: str) -> None:
    folder = shared(STIX / "examples")
    units = [
        u
        for u in sources.read(folder)
        if (kind == "threat-reports") == ("threat-reports" in u.origin)
    ]
    result = ingest.import_units(cast.cert, units)
    assert result.rejected == []
    expected = {
        (o["id"], o.get("modified") or o.get("created") or "") for u in units for o in u.objects
    }
    assert set(stored(engine)) == expected


def test_the_broken_tlp_example_is_refused_with_its_reasons(engine: Engine, cast: Cast) -> None:
    result = ingest.import_units(cast.cert, sources.read(shared(BROKEN)))
    [rejection] = result.rejected
    assert rejection.origin == str(BROKEN)
    assert [(p.stix_id, p.path) for p in rejection.problems] == [
        ("bundle--161f8ade-b67d-11e3-b8af-f01faf20d111", "type"),
        ("relationship--1621d4d4-b67d-11e3-9670-f01faf20d111", "created"),
    ]
    assert result.warnings == []  # those of a refused file are not told as stored anyway
    # Given a type, the bundle is still refused, for the relationship's created timestamp.
    fixed = {**load(BROKEN), "type": "bundle"}
    unit = sources.from_document(fixed, "fixed")
    with pytest.raises(InvalidStix) as raised:
        ingest.import_objects(cast.cert, unit.objects)
    assert raised.value.problems[0].stix_id == "relationship--1621d4d4-b67d-11e3-9670-f01faf20d111"
    assert raised.value.field == "created"
    assert stored(engine) == []


def test_a_misp_event_is_converted_and_stored(engine: Engine, cast: Cast) -> None:
    path = shared(CTI_DATA / "misp" / "events" / "misp_event.json")
    unit = sources.read_file(path)
    assert unit.kind == "misp" and unit.problems == []
    result = ingest.import_units(cast.cert, [unit])
    assert result.rejected == [] and result.stored == len(unit.objects)
    assert {"grouping", "identity"} <= {o["type"] for o in unit.objects}


def test_the_attack_bundles_load_into_their_collections(engine: Engine, cast: Cast) -> None:
    ics = attack.load(cast.cert, shared(ICS))
    assert (ics.stored, ics.rejected) == (len(objects_of(ICS)), [])
    again = attack.load(cast.cert, ICS)
    assert (again.stored, again.already, again.collection_id) == (0, ics.stored, ics.collection_id)
    mobile = attack.load(cast.cert, shared(MOBILE))
    assert mobile.collection_id != ics.collection_id
    with transaction(engine) as session:
        found = collections.visible(session, cast.cert.principal, "cert")
    assert sorted(row.alias or "" for row, _ in found) == [
        "mitre-attack-ics",
        "mitre-attack-mobile",
    ]
    with pytest.raises(InvalidInput):
        attack.load_objects(cast.cert, [indicator()])  # not ATT&CK


def test_green_objects_of_the_cert_are_readable_by_other_agencies(cast: Cast) -> None:
    ingest.import_objects(cast.cert, [indicator(), indicator("amber", marking=None)])
    assert objects.get(cast.neighbour, indicator()["id"]).tlp == "GREEN"
    assert (
        GREEN in objects.body(objects.get(cast.neighbour, indicator()["id"]))["object_marking_refs"]
    )
