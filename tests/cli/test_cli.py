"""The ``qalxan`` command: doctrine versions, export, diff, verify, search; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qalxan.cli.main import app
from qalxan.doctrine.registry import KIND_PLURALS, Doctrine
from qalxan.settings import get_settings
from qalxan.store.engine import get_engine
from qalxan.store.migrate import head_revision

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_db_upgrade_is_repeatable(env: Path) -> None:
    for _ in range(2):
        code, out = run("db", "upgrade")
        assert code == 0, out
        assert f"revision {head_revision(get_engine(get_settings().resolved_database_url))}" in out


def test_export_writes_the_whole_registry(env: Path, doctrine: Doctrine) -> None:
    out = env / "doctrine.json"
    code, text = run("doctrine", "export", "--format", "json", "--out", str(out))
    assert code == 0, text
    document = json.loads(out.read_text("utf-8"))
    for kind, plural in KIND_PLURALS.items():
        assert len(document[plural]) == len(doctrine.of_kind(kind))
    assert len(document["relations"]) == len(doctrine.relations)
    assert document["manifest"]["version"] == doctrine.version


def test_export_refuses_an_unknown_format(env: Path) -> None:
    code, out = run("doctrine", "export", "--format", "xml")
    assert code == 2
    assert "--format" in out and "xml" in out


def test_load_diff_activate_round_trip(env: Path, doctrine: Doctrine) -> None:
    export = env / "v1.json"
    run("doctrine", "export", "--out", str(export))
    document = json.loads(export.read_text("utf-8"))
    document["manifest"]["version"] = "2026.1"
    document["threats"][0]["summary"] = {"en": "Reviewed text."}
    document["threats"].pop()
    document["relations"] = [
        r for r in document["relations"] if "threat-3-11" not in (r["source"], r["target"])
    ]
    new = env / "v2.json"
    new.write_text(json.dumps(document), encoding="utf-8")

    code, out = run("doctrine", "diff", doctrine.version, str(new), "--json")
    assert code == 0, out
    changes = json.loads(out)
    assert [r["id"] for r in changes["items"]["removed"]] == ["threat-3-11"]
    assert changes["items"]["changed"][0]["fields"] == ["summary"]
    assert changes["relations"]["removed"]

    code, out = run("doctrine", "load", str(new), "--no-activate")
    assert code == 0 and "stored" in out
    code, out = run("doctrine", "load", str(new), "--no-activate")
    assert "already stored" in out
    code, out = run("doctrine", "diff", doctrine.version, "2026.1")
    assert code == 0 and "- threat threat-3-11" in out
    code, out = run("doctrine", "activate", "2026.1")
    assert code == 0
    code, out = run("doctrine", "show", "threat-3-11")
    assert code == 2 and "no doctrine item has the id 'threat-3-11'" in out


def test_a_dangling_relation_is_refused_with_its_place(env: Path) -> None:
    export = env / "v1.json"
    run("doctrine", "export", "--out", str(export))
    document = json.loads(export.read_text("utf-8"))
    document["threats"].pop()
    export.write_text(json.dumps(document), encoding="utf-8")
    code, out = run("doctrine", "load", str(export))
    assert code == 2
    assert "no item has the id 'threat-3-11'" in " ".join(out.split())


def test_load_of_a_malformed_version_names_file_and_field(env: Path) -> None:
    bad = env / "bad.json"
    bad.write_text(json.dumps({"manifest": {"id": "x"}}), encoding="utf-8")
    code, out = run("doctrine", "load", str(bad))
    assert code == 2
    assert "bad.json: manifest.title" in out


def test_search_and_show(env: Path) -> None:
    code, out = run("doctrine", "search", "Sərhəd", "--kind", "agency")
    assert code == 0 and "agency-sbs" in out
    code, out = run("doctrine", "show", "agency-sbs")
    assert code == 0 and '"relations"' in out


def test_unknown_version_is_a_clear_error(env: Path) -> None:
    code, out = run("doctrine", "activate", "1999")
    assert code == 2 and "no doctrine version is named '1999'" in out


def test_demo_data_is_idempotent(env: Path) -> None:
    assert "stored" in run("demo", "load")[1]
    assert "already stored" in run("demo", "load")[1]


def test_verify_against_the_sources(env: Path, seeds_dir: Path) -> None:
    code, out = run("doctrine", "verify", "--sources", str(seeds_dir))
    assert code == 0, out
    assert "verified" in out


def test_db_current_reports_without_migrating(env: Path) -> None:
    code, out = run("db", "current")
    assert code == 0
    head = head_revision(get_engine(get_settings().resolved_database_url))
    assert f"current None, head {head}" in " ".join(out.split())
    run("db", "upgrade")
    assert f"current {head}, head {head}" in " ".join(run("db", "current")[1].split())
