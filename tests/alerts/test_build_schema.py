"""The shipped schema is what scripts/build_cap_schema.py makes from the OASIS source."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.alerts.shared import ROOT, cap_file

SHIPPED = ROOT / "src" / "qalxan" / "alerts" / "data" / "CAP-v1.2.xsd"


def _script() -> ModuleType:
    path = ROOT / "scripts" / "build_cap_schema.py"
    spec = importlib.util.spec_from_file_location("build_cap_schema", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_cap_schema", module)
    spec.loader.exec_module(module)
    return module


def test_shipped_schema_equals_a_fresh_build() -> None:
    source = cap_file("CAP-v1.2.xsd")
    built = _script().build(source)
    assert built == SHIPPED.read_bytes(), "rerun scripts/build_cap_schema.py"
    assert b"OASIS" in built.split(b"<schema", 1)[0]  # the attribution comes first
    assert built.endswith(source.split(b"?>", 1)[1].lstrip(b"\r\n"))  # the schema, unchanged


def test_build_refuses_another_schema(tmp_path: Path) -> None:
    script = _script()
    other = (
        b'<?xml version="1.0"?><schema xmlns="http://www.w3.org/2001/XMLSchema" '
        b'targetNamespace="urn:oasis:names:tc:emergency:cap:1.1"/>'
    )
    with pytest.raises(script.BuildError, match="target namespace"):
        script.build(other)
    source = tmp_path / "x.xsd"
    source.write_bytes(b"<schema")
    assert script.main(["--source", str(source), "--out", str(tmp_path / "out.xsd")]) == 1
    assert not (tmp_path / "out.xsd").exists()
