"""``qalxan picture rebuild`` and ``--check``, and ``qalxan picture scan``, from the console."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from qalxan.cli.main import app
from qalxan.settings import get_settings
from qalxan.store.engine import get_engine
from tests.cli.test_reports_cli import reports_file
from tests.picture.test_warnings import TODAY, build

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_check_finds_differences_and_rebuild_mends_them(env: Path) -> None:
    path = reports_file(env / "reports.jsonl")
    code, out = run("reports", "import", str(path), "--agency", "agency-mes")
    assert code == 0, out
    code, out = run("picture", "rebuild", "--check")
    assert code == 0, out
    assert "agree with the 3 incidents" in out

    db = get_engine(os.environ["QALXAN_DATABASE_URL"])
    with db.begin() as conn:
        conn.execute(text("UPDATE picture_month SET incidents = incidents + 2"))
    code, out = run("picture", "rebuild", "--check")
    assert code == 1
    assert "month month=" in out and "stored incidents=" in out and "differ:" in out
    code, out = run("picture", "rebuild", "--check")
    assert code == 1  # the check changes nothing

    code, out = run("picture", "rebuild")
    assert code == 0, out
    assert "rebuilt from 3 incidents" in out
    code, out = run("picture", "rebuild", "--check")
    assert code == 0, out


def test_scan_lists_the_new_warnings_once(env: Path) -> None:
    code, out = run("picture", "scan")
    assert code == 0, out
    assert "no new warnings" in out  # an empty installation; and the schema is there now
    build(get_engine(os.environ["QALXAN_DATABASE_URL"]), get_settings())
    code, out = run("picture", "scan", "--today", TODAY.isoformat())
    assert code == 0, out
    assert "AZ-TOV" in out and "threat-3-5" in out and "confidential" in out
    assert "4 new warning(s)" in out
    code, out = run("picture", "scan", "--today", TODAY.isoformat())
    assert code == 0 and "no new warnings" in out
    code, out = run("picture", "scan", "--today", "yesterday")
    assert code == 2
