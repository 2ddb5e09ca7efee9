"""``qalxan alerts validate``: each file's verdict, every problem, the exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qalxan.cli.common import console, errors
from qalxan.cli.main import app
from tests.alerts.shared import CAP_DIR, xml

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    for output in (console, errors):
        monkeypatch.setattr(output, "_width", 240)  # whole lines, whatever the terminal


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["alerts", "validate", *args])
    return result.exit_code, result.output


def test_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_bytes(xml())
    code, out = run(str(path))
    assert code == 0, out
    assert f"{path}: valid (CAP 1.2)" in out


def test_an_invalid_file_lists_every_problem(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(xml())
    bad.write_bytes(
        xml("<status>Actual", "<status>Real").replace(b"<urgency>Expected", b"<urgency>Soon")
    )
    code, out = run(str(good), str(bad))
    assert code == 1
    assert f"{bad}: INVALID (CAP 1.2)" in out
    assert "error alert/status (line 6): 'Real' is not one of: Actual, Exercise" in out
    assert "error alert/info[1]/urgency (line 13): 'Soon' is not one of" in out
    assert f"{good}: valid" in out


def test_rule_errors_and_cap_11(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_bytes(
        xml("cap:1.2", "cap:1.1").replace(b"<identifier>AZ-FHN", b"<identifier>AZ FHN")
    )
    code, out = run(str(path))
    assert code == 1
    assert "INVALID (CAP 1.1, read as CAP 1.2)" in out
    assert "error alert/identifier (line 3): 'AZ FHN-2025-0001' contains ' '" in out
    assert "warning alert (line 2): CAP 1.1" in out


def test_an_unreadable_file_exits_2_after_the_others(tmp_path: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(xml())
    result = runner.invoke(app, ["alerts", "validate", str(tmp_path / "missing.xml"), str(good)])
    assert result.exit_code == 2
    assert f"{good}: valid" in result.output
    assert "missing.xml: No such file or directory" in result.output


def test_not_xml(tmp_path: Path) -> None:
    path = tmp_path / "x.cap"
    path.write_bytes(b"not xml")
    code, out = run(str(path))
    assert code == 1
    assert "error document: not well-formed XML" in out


def test_shared_samples() -> None:
    if not CAP_DIR.is_dir():
        pytest.skip(f"reference data absent: {CAP_DIR}")
    code, out = run(str(CAP_DIR / "bushfire_valid.edxlde"), str(CAP_DIR / "weather_invalid.atom"))
    assert code == 1
    assert "bushfire_valid.edxlde: valid (EDXL-DE envelope, 59 alert(s), 59 valid)" in out
    assert "weather_invalid.atom: INVALID (Atom feed, 1 entry, 1 alert(s), 0 valid)" in out
    assert "error feed/entry[1]/content/alert/identifier (line 28): 'INVALID, ' contains ','" in out
