"""docs/taxii.md stays honest: every ``qalxan taxii`` command, every URL parameter and every
audited TAXII action is in it."""

from __future__ import annotations

from pathlib import Path

from typer.core import TyperGroup as Group
from typer.main import get_command

from qalxan.cli.main import app
from qalxan.cti.taxii import filters

DOC = Path(__file__).resolve().parents[2] / "docs" / "taxii.md"


def commands(group: Group, prefix: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, Group):
            found += commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_command_is_documented() -> None:
    root = get_command(app)
    assert isinstance(root, Group)
    taxii = root.commands["taxii"]
    assert isinstance(taxii, Group)
    listed = commands(taxii, "qalxan taxii")
    assert len(listed) == 6
    text = DOC.read_text("utf-8")
    assert [c for c in listed if f"`{c}" not in text] == []


def test_every_parameter_is_documented() -> None:
    text = DOC.read_text("utf-8")
    names = filters.OBJECTS | filters.OBJECT | filters.DELETE | filters.VERSIONS
    shown = {n if n in ("added_after", "limit", "next") else f"match[{n}]" for n in names}
    assert [n for n in sorted(shown) if f"`{n}`" not in text] == []
    assert f"**{filters.DEFAULT_LIMIT:,}**" in text and f"**{filters.MAX_LIMIT:,}**" in text
