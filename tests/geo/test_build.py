"""The checked-in gazetteer is what scripts/build_gazetteer.py makes from the sources."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.geo.shared import GEO_SOURCE, ROOT, require

DATA = ROOT / "src" / "qalxan" / "geo" / "data"


def _script() -> ModuleType:
    path = ROOT / "scripts" / "build_gazetteer.py"
    spec = importlib.util.spec_from_file_location("build_gazetteer", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_gazetteer", module)
    spec.loader.exec_module(module)
    return module


def test_checked_in_data_equals_a_fresh_build() -> None:
    source = require(GEO_SOURCE)
    built = _script().build(source)
    assert set(built) == {
        "units.json", "places.json", "adm2.geojson", "adm1.geojson",
        "pipelines.geojson", "airports.json", "ATTRIBUTION.md",
    }  # fmt: skip
    stale = [name for name, text in built.items() if (DATA / name).read_text("utf-8") != text]
    assert not stale, f"rerun scripts/build_gazetteer.py: {stale} differ"


def test_build_fails_loudly_on_a_missing_source(tmp_path: Path) -> None:
    script = _script()
    assert script.main(["--source", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
