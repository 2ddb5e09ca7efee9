"""Loading doctrine versions: every malformed file is refused with its file and field named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qalxan.doctrine.loader import bundled_path, load_directory, load_document
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import DoctrineLoadError

THREAT = """
kind: threat
items:
  - id: threat-3-4
    code: "3.4"
    name: {en: Terrorism, az: Terrorizm}
    provenance: [{source: concept, section: "3.4"}]
"""
INTEREST = """
kind: interest
items:
  - id: interest-a
    name: {en: Independence, az: Müstəqillik}
    provenance: [{source: concept, section: "2"}]
"""


def version(tmp_path: Path, **files: str) -> Path:
    shutil.copy(bundled_path() / "manifest.yaml", tmp_path / "manifest.yaml")
    for name, content in files.items():
        (tmp_path / f"{name}.yaml").write_text(content, encoding="utf-8")
    return tmp_path


def load_error(tmp_path: Path, **files: str) -> DoctrineLoadError:
    with pytest.raises(DoctrineLoadError) as caught:
        load_directory(version(tmp_path, **files))
    return caught.value


def test_a_minimal_version_loads(tmp_path: Path) -> None:
    doctrine = load_directory(version(tmp_path, threats=THREAT, interests=INTEREST))
    assert doctrine.get("threat-3-4").name.az == "Terrorizm"
    assert doctrine.counts()["threats"] == 1


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, threats="kind: threat\nitems: [\n  - id: x: y\n")
    assert error.file == "threats.yaml"
    assert "line" in (error.field or "")


def test_unknown_field_is_named(tmp_path: Path) -> None:
    error = load_error(tmp_path, threats=THREAT + "    colour: red\n")
    assert error.file == "threats.yaml"
    assert error.field == "items[0] (threat-3-4).colour"


def test_missing_azerbaijani_name_is_named(tmp_path: Path) -> None:
    error = load_error(tmp_path, threats=THREAT.replace(", az: Terrorizm", ""))
    assert error.field == "items[0] (threat-3-4).name"
    assert "name.az is required" in error.reason


def test_bad_threat_code(tmp_path: Path) -> None:
    error = load_error(tmp_path, threats=THREAT.replace('"3.4"', '"7.1"'))
    assert error.field == "items[0] (threat-3-4).code"


def test_missing_provenance(tmp_path: Path) -> None:
    bad = THREAT.replace('    provenance: [{source: concept, section: "3.4"}]\n', "")
    assert load_error(tmp_path, threats=bad).field == "items[0] (threat-3-4).provenance"


def test_unknown_source(tmp_path: Path) -> None:
    error = load_error(tmp_path, threats=THREAT.replace("source: concept", "source: blog"))
    assert error.field == "threat-3-4.provenance[0].source"


def test_unknown_kind(tmp_path: Path) -> None:
    error = load_error(tmp_path, threats=THREAT.replace("kind: threat", "kind: villain"))
    assert (error.file, error.field) == ("threats.yaml", "kind")


def test_duplicate_id(tmp_path: Path) -> None:
    error = load_error(tmp_path, a=THREAT, b=THREAT)
    assert (error.file, error.field) == ("b.yaml", "threat-3-4.id")


def relation(type_: str, source: str, target: str, extra: str = "") -> str:
    return (
        f"relations:\n  - type: {type_}\n    source: {source}\n    target: {target}\n"
        f"{extra}    provenance: [{{source: concept, section: '3'}}]\n"
    )


def test_dangling_relation(tmp_path: Path) -> None:
    error = load_error(tmp_path, threats=THREAT, rel=relation("endangers", "threat-3-4", "nope"))
    assert (error.file, error.field) == ("rel.yaml", "endangers:threat-3-4->nope.target")


def test_relation_with_wrong_kinds(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        threats=THREAT,
        interests=INTEREST,
        rel=relation("endangers", "interest-a", "threat-3-4"),
    )
    assert error.field == "endangers:interest-a->threat-3-4.source"


def test_unknown_relation_type(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        threats=THREAT,
        interests=INTEREST,
        rel=relation("loves", "threat-3-4", "interest-a"),
    )
    assert error.field == "loves:threat-3-4->interest-a.type"


def test_routing_relation_needs_justification(tmp_path: Path) -> None:
    agency = (
        "kind: agency\nitems:\n  - id: agency-x\n    type: ministry\n"
        "    name: {en: X, az: X}\n    provenance: [{source: policing, section: a}]\n"
    )
    error = load_error(
        tmp_path,
        threats=THREAT,
        agencies=agency,
        rel=relation("lead_agency", "threat-3-4", "agency-x"),
    )
    assert error.field == "lead_agency:threat-3-4->agency-x.justification"


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(DoctrineLoadError, match=r"manifest\.yaml"):
        load_directory(tmp_path)


def test_document_round_trip(doctrine: Doctrine) -> None:
    again = load_document(doctrine.to_document())
    assert again.digest == doctrine.digest
    assert again.counts() == doctrine.counts()


def test_document_errors_name_the_list_and_item(doctrine: Doctrine) -> None:
    document = doctrine.to_document()
    document["threats"][0]["name"] = {"en": "no azerbaijani"}
    with pytest.raises(DoctrineLoadError) as caught:
        load_document(document, "export.json")
    assert caught.value.file == "export.json"
    assert caught.value.field is not None
    assert caught.value.field.startswith("threats[0]")
