"""The bundled doctrine is faithful: every quote stands in its source (needs ../shared/seeds)."""

from __future__ import annotations

from pathlib import Path

from qalxan.doctrine.provenance import fold, verify
from qalxan.doctrine.registry import Doctrine
from tests.doctrine.test_content import AGENCIES


def test_every_quote_stands_in_its_source(doctrine: Doctrine, seeds_dir: Path) -> None:
    problems = verify(doctrine, seeds_dir)
    assert not problems, "\n".join(map(str, problems[:20]))


def test_expected_names_really_are_in_the_sources(seeds_dir: Path) -> None:
    text = fold(" ".join(p.read_text("utf-8") for p in seeds_dir.glob("*.txt")))
    assert [name for name in AGENCIES if fold(name) not in text] == []


def test_a_changed_source_is_detected(doctrine: Doctrine, seeds_dir: Path, tmp_path: Path) -> None:
    for path in seeds_dir.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    concept = doctrine.manifest.sources["concept"].file
    (tmp_path / concept).write_text("an altered text", encoding="utf-8")
    problems = [str(p) for p in verify(doctrine, tmp_path)]
    assert any("another SHA-256" in p for p in problems)
    assert any("quote not in concept" in p for p in problems)
