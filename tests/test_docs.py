"""Documentation stays honest: every relation type, kind and CLI command is documented."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from qalxan.access.markings import scheme
from qalxan.access.roles import catalogue
from qalxan.cli.main import app
from qalxan.doctrine.loader import load_relation_types
from qalxan.doctrine.model import ITEM_MODELS

ROOT = Path(__file__).resolve().parents[1]


def test_relation_vocabulary_is_documented() -> None:
    text = (ROOT / "docs" / "doctrine-data.md").read_text("utf-8")
    missing = [name for name in load_relation_types() if f"`{name}`" not in text]
    assert not missing


def test_item_kinds_are_documented() -> None:
    text = (ROOT / "docs" / "doctrine-data.md").read_text("utf-8")
    assert [kind for kind in ITEM_MODELS if f"| {kind} |" not in text] == []


def test_doctrine_commands_are_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    group = get_command(app).commands["doctrine"]  # type: ignore[attr-defined]
    assert [name for name in group.commands if f"qalxan doctrine {name}" not in readme] == []


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text("utf-8")[:400]
    assert "make run" in head
    assert "make test" in head


def test_every_role_is_documented() -> None:
    text = (ROOT / "docs" / "access.md").read_text(encoding="utf-8")
    missing = [role for role in catalogue().roles if f"`{role}`" not in text]
    assert not missing, f"roles missing from docs/access.md: {missing}"


def test_every_marking_is_documented() -> None:
    text = (ROOT / "docs" / "access.md").read_text(encoding="utf-8")
    codes = [c.code for c in scheme().classifications] + [t.code for t in scheme().tlp]
    missing = [code for code in codes if f"`{code}`" not in text]
    assert not missing, f"markings missing from docs/access.md: {missing}"
