"""STIX 2.1 validation: the shipped OASIS schemas, stix2-validator's MUST checks, the SHOULD
warnings kept, and agreement with stix2-validator itself."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance
from stix2validator.v21 import musts

from qalxan.cti import misp, schemas, stix_checks, stix_patterns
from qalxan.cti.validate import InvalidStix, Problem, bundle_errors, check, require_valid
from tests.conftest import ROOT
from tests.cti.stix_support import (
    BROKEN,
    CTI_DATA,
    ICS,
    MOBILE,
    STIX,
    T0,
    examples,
    indicator,
    load,
    objects_of,
    sdo,
    shared,
    stix_id,
)


def errors(obj: Any) -> list[Problem]:
    return check([obj]).errors


def test_a_valid_indicator_passes_without_warnings() -> None:
    found = check([indicator(), sdo("malware", "m", "BlackEnergy", is_family=True)])
    assert found.errors == [] and found.warnings == []


def test_a_bad_timestamp_names_the_object_and_the_property() -> None:
    bad = indicator(created="2022-101-27T13:49:54.326Z")
    [problem] = errors(bad)
    assert problem.stix_id == bad["id"] and problem.path == "created"
    assert "'2022-101-27T13:49:54.326Z' is not a STIX timestamp" in problem.reason


def test_schema_problems_name_nested_properties_and_missing_ones() -> None:
    bad = indicator(external_references=[{"source_name": "x", "url": "not a url"}])
    del bad["pattern_type"]
    found = {(p.path, p.reason) for p in errors(bad)}
    assert ("pattern_type", "required") in found
    assert any(path == "external_references[0].url" for path, _ in found)


def test_the_must_checks_run_on_what_the_schema_accepts() -> None:
    cases = {
        "modified": indicator(modified="2024-02-01T00:00:00.000Z"),  # before created
        "created": indicator(created="2024-02-30T10:00:00.000Z", modified=T0),
        "pattern": indicator(pattern="[ipv4-addr:value = '1.2.3.4'"),
    }  # fmt: skip
    for path, obj in cases.items():
        found = errors(obj)
        assert [p.path for p in found] == [path], found
    [bad_hash] = errors(indicator(pattern="[file:hashes.MD5 = 'abc']"))
    assert bad_hash.path == "pattern" and "not a valid MD5 hash" in bad_hash.reason


def test_created_and_modified_need_milliseconds() -> None:
    [problem] = errors(indicator(created="2024-03-01T10:00:00Z"))
    assert problem.path == "created" and "millisecond" in problem.reason


def test_what_is_not_an_object_is_refused_by_name() -> None:
    assert "not a list" in errors(["x"])[0].reason
    assert errors({"id": "x"})[0].path == "type"


def test_custom_objects_meet_the_core_schemas() -> None:
    custom = sdo("x-acme-widget", "w", "Widget")
    assert errors(custom) == []
    del custom["created"]
    assert {p.path for p in errors(custom)} == {"created"}  # modified alone: still an SDO
    observable = {"type": "x-acme-thing", "id": stix_id("x-acme-thing", "t"), "value": 1}
    assert errors(observable) == []


def test_should_checks_warn_and_never_reject() -> None:
    ip = {"type": "ipv4-addr", "spec_version": "2.1", "id": stix_id("ipv4-addr", "ip"),
          "value": "198.51.100.7"}  # fmt: skip
    found = check([ip, indicator(pattern_type="unknown-language")])
    assert found.errors == []
    assert [(w.stix_id, w.path) for w in found.warnings] == [
        (ip["id"], "id"),  # an observable's id should be UUIDv5
        (indicator()["id"], "pattern_type"),
    ]


def test_require_valid_raises_naming_object_and_property() -> None:
    bad = indicator(created="2022-101-27T13:49:54.326Z")
    with pytest.raises(InvalidStix) as raised:
        require_valid([indicator("ok"), bad])
    assert raised.value.field == "created"
    assert raised.value.message.startswith(f"{bad['id']}: created: ")
    assert raised.value.problems[0].stix_id == bad["id"]


def test_a_bundle_without_its_type_is_refused() -> None:
    problems = bundle_errors({"id": stix_id("bundle", "b"), "objects": [indicator()]})
    assert [(p.path, p.reason) for p in problems] == [("type", "required")]
    assert bundle_errors({"type": "bundle", "id": stix_id("bundle", "b"), "objects": []})


@pytest.mark.parametrize("path", [p.name for p in sorted((STIX / "examples").rglob("*.json"))])
def test_every_oasis_example_validates(path: str) -> None:
    [file] = [p for p in examples() if p.name == path]
    document = load(file)
    assert check(objects_of(file)).errors == []
    if "objects" in document:
        assert bundle_errors(document) == []


@pytest.mark.parametrize("bundle", [ICS, MOBILE], ids=["ics", "mobile"])
def test_the_attack_bundles_validate(bundle: Path) -> None:
    found = check(objects_of(bundle))
    assert found.errors == []
    assert found.warnings == []  # the SHOULD checks kept find nothing to say about ATT&CK


def test_the_broken_tlp_example_is_refused_with_its_reasons() -> None:
    document = load(BROKEN)
    found = check(document["objects"])
    assert [(p.stix_id, p.path) for p in found.errors] == [
        ("relationship--1621d4d4-b67d-11e3-9670-f01faf20d111", "created")
    ]
    assert "is not a STIX timestamp" in found.errors[0].reason
    assert [(p.path, p.reason) for p in bundle_errors(document)] == [("type", "required")]


def test_verdicts_agree_with_stix2_validator_on_the_shared_examples() -> None:
    """Ours against stix2-validator's validate_instance with the shipped schemas."""
    options = ValidationOptions(version="2.1", schema_dir=str(schemas.directory()))
    files = [*examples(), shared(BROKEN)]
    compared = 0
    for file in files:
        for obj in objects_of(file):
            theirs = validate_instance(obj, options)
            assert (check([obj]).errors == []) == theirs.is_valid, (obj["id"], theirs.errors)
            compared += 1
    assert compared > 250


def _patterns() -> list[tuple[str, str]]:
    """(pattern, spec version) of every indicator in the shared examples and MISP events,
    and hand-made ones at the edges of the fast path."""
    found = [
        "[ipv4-addr:value = '198.51.100.7']",
        f"[file:hashes.'SHA-256' = '{'ae' * 32}']",
        "[file:hashes.MD5 = 'abc']",
        "[file:hashes.'SHA-1' = 'ab' AND file:name = 'x.exe']",
        "[file:name = 'it\\'s' OR file:name = 'back\\\\slash']",
        "[file:name='x'AND file:size = '1']",
        "[file:AND = 'x']",
        "[File:name = 'x']",
        "[x_y:name = 'x']",
        "[file:Name-x = 'x']",
        "[file:name = 'x' or file:name = 'y']",
        "[network-traffic:dst_ref.value = '203.0.113.1']",
        "[email-message:from_ref.value = 'a@example.com'] OR [url:value = 'http://x']",
        "[domain-name:value = 'example.com'] WITHIN 10 SECONDS",
        "[file:hashes[0] = 'x']",
        "[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value != '1.2.3.5' ]  ",
        "[ipv4-addr:value = '1.2.3.4'",
        "[ipv4-addr:value = true]",
        "[artifact:payload_bin = b'dGVzdA==']",
    ]
    objects: list[dict[str, Any]] = []
    for file in examples():
        objects += objects_of(file)
    events = CTI_DATA / "misp" / "events"
    for name in ("existing_event.json", "long_event.json"):
        objects += misp.to_stix(load(events / name))
    found += [o["pattern"] for o in objects if o.get("type") == "indicator"]
    return [(p, "2.1") for p in found]


def _outcome(check_: Any, obj: dict[str, Any]) -> list[str]:
    try:
        return [str(e) for e in check_(obj, stix_checks.options())]
    except AttributeError as exc:  # stix2-patterns fails on a list index under hashes
        return [f"crash: {type(exc).__name__}"]


def test_the_fast_pattern_path_agrees_with_the_validator() -> None:
    fast = 0
    for pattern, version in _patterns():
        obj = indicator(pattern=pattern, pattern_version=version)
        theirs = _outcome(musts.patterns, obj)
        ours = _outcome(stix_patterns.check, obj)
        assert ours == theirs, pattern
        fast += stix_patterns.simple(pattern) is not None
    assert fast > 100  # most real patterns take the fast path


def test_the_timestamp_checks_agree_with_the_validator() -> None:
    values = [
        "2024-02-29T10:00:00.000Z", "2023-02-29T10:00:00.000Z", "2024-04-31T00:00:00Z",
        "2024-01-01T23:59:60Z", "2024-01-01T10:00:00.1234567Z", "2024-13-01T00:00:00Z",
    ]  # fmt: skip
    for value in values:
        for other in values:
            obj = indicator(created=value, modified=other, valid_from=value)
            for mine, theirs in (
                (stix_checks.timestamps, musts.timestamp),
                (stix_checks.ordered, musts.timestamp_compare),
            ):
                assert bool(list(mine(obj))) == bool(list(theirs(obj))), (value, other)


def _odd_objects() -> list[dict[str, Any]]:
    """Objects of the types the type-bound checks look at, each breaking their rules."""
    v1 = "1621d4d4-b67d-11e3-9670-f01faf20d111"
    marking = {
        "type": "marking-definition", "spec_version": "2.1", "id": f"marking-definition--{v1}",
        "created": T0, "object_marking_refs": [f"marking-definition--{v1}"],
        "granular_markings": [{"marking_ref": f"marking-definition--{v1}", "selectors": ["id"]}],
    }  # fmt: skip
    return [
        marking,
        {"type": "artifact", "spec_version": "2.1", "id": f"artifact--{v1}", "mime_type": "x/y"},
        {"type": "process", "spec_version": "2.1", "id": f"process--{v1}"},
        {
            "type": "software",
            "spec_version": "2.1",
            "id": stix_id("software", "s"),
            "name": "x",
            "languages": ["xx-bad"],
            "cpe": "cpe:bad",
        },
        {
            "type": "directory",
            "spec_version": "2.1",
            "id": stix_id("directory", "d"),
            "path": "/x",
            "path_enc": "not a charset!",
        },
        {
            "type": "network-traffic",
            "spec_version": "2.1",
            "id": stix_id("network-traffic", "n"),
            "protocols": ["tcp"],
            "start": "2024-02-01T00:00:00Z",
            "end": "2024-01-01T00:00:00Z",
        },
        {
            "type": "language-content",
            "spec_version": "2.1",
            "id": stix_id("language-content", "l"),
            "created": T0,
            "modified": T0,
            "object_ref": indicator()["id"],
            "contents": {"xx-not": {"Bad Key": "x"}},
        },
        sdo("x-acme-thing", "x", "Thing", lang="not-a-language"),
        indicator(pattern="[file:hashes.MD5 = 'abc']"),
    ]


def test_the_checks_skipped_for_a_type_would_find_nothing_in_it() -> None:
    corpus = _odd_objects()
    for file in [*examples(), shared(ICS), shared(MOBILE)]:
        corpus += objects_of(file)
    corpus += misp.to_stix(load(CTI_DATA / "misp" / "events" / "long_event.json"))
    full = stix_checks.must_checks()
    for obj in corpus:
        ours = list(stix_checks.run(stix_checks.musts_for(obj["type"]), obj))
        assert ours == list(stix_checks.run(full, obj)), obj["id"]
    found = [list(stix_checks.run(full, obj)) for obj in _odd_objects()]
    assert all(found), found  # the odd ones are odd


def _build_script() -> ModuleType:
    path = ROOT / "scripts" / "build_stix_schemas.py"
    spec = importlib.util.spec_from_file_location("build_stix_schemas", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_stix_schemas", module)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_schemas_equal_a_fresh_build() -> None:
    built = _build_script().build(shared(STIX))
    shipped = schemas.directory()
    stale = [name for name, data in built.items() if (shipped / name).read_bytes() != data]
    assert not stale, f"rerun scripts/build_stix_schemas.py: {stale} differ"
    present = {str(p.relative_to(shipped)) for p in shipped.rglob("*") if p.is_file()}
    assert present == set(built)
    assert "LICENSE-OASIS-BSD3.txt" in present


def test_the_build_refuses_a_source_that_is_not_the_schema_set(tmp_path: Path) -> None:
    script = _build_script()
    assert script.main(["--source", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    (tmp_path / "schemas" / "common").mkdir(parents=True)
    (tmp_path / "schemas" / "common" / "core.json").write_text('{"$id": "x"}')
    assert script.main(["--source", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
