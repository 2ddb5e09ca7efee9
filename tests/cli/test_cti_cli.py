"""``qalxan cti import | export | show | attack load`` from the console."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from qalxan.cli.main import app
from tests.cti.stix_support import AMBER, ICS, indicator, sdo, shared

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def bundle(path: Path, objects: list[dict[str, Any]]) -> Path:
    document = {"type": "bundle", "id": "bundle--6f1c1e36-6d3a-4a3b-9b46-3b0f5f6e2c11"}
    path.write_text(json.dumps({**document, "objects": objects}), "utf-8")
    return path


def lines_with(out: str, word: str) -> list[str]:
    return [line for line in out.splitlines() if word in line]


def count(out: str, label: str) -> int:
    """A number of the import summary table."""
    [line] = [line for line in out.splitlines() if line.startswith(f"│ {label} ")]
    return int(line.strip("│ ").split("│")[-1])


def test_import_twice_stores_once(env: Path) -> None:
    path = bundle(env / "feed.json", [indicator("a"), indicator("b", value="203.0.113.9")])
    code, out = run("cti", "import", str(path))
    assert code == 0, out
    assert (count(out, "stored"), count(out, "already there"), count(out, "rejected")) == (2, 0, 0)
    code, out = run("cti", "import", str(path))
    assert code == 0, out
    assert (count(out, "stored"), count(out, "already there")) == (0, 2)


def test_a_refused_file_is_named_with_its_reason_and_the_exit_code_says_so(env: Path) -> None:
    folder = env / "in"
    folder.mkdir()
    bundle(folder / "good.json", [indicator("a")])
    bad = indicator("b", created="2022-101-27T13:49:54.326Z")
    bundle(folder / "bad.json", [indicator("c"), bad])
    code, out = run("cti", "import", str(folder))
    assert code == 1, out
    [row] = lines_with(out, "bad.json")
    assert bad["id"] in row and "created" in row and "not a STIX timestamp" in row
    assert (count(out, "stored"), count(out, "rejected")) == (1, 1)


def test_import_errors_exit_2(env: Path) -> None:
    path = bundle(env / "feed.json", [indicator()])
    code, out = run("cti", "import", str(path), "--as", "nobody")
    assert code == 2 and "no active account" in out
    code, out = run("cti", "import", str(path), "--collection", "nowhere")
    assert code == 2 and "collection:" in out
    (env / "empty").mkdir()
    code, out = run("cti", "import", str(env / "empty"))
    assert code == 2 and "no .json file" in out


def test_export_writes_a_bundle_or_a_misp_event(env: Path) -> None:
    malware = sdo("malware", "m", "Industroyer", is_family=True)
    run("cti", "import", str(bundle(env / "feed.json", [indicator(), malware])))
    out_file = env / "out.json"
    code, out = run("cti", "export", "--type", "malware", "--out", str(out_file))
    assert code == 0, out
    assert "1 objects and 0 marking definitions" in out
    assert json.loads(out_file.read_text("utf-8"))["objects"] == [malware]
    code, out = run("cti", "export")
    assert code == 0, out
    exported = json.loads(out)
    assert exported["type"] == "bundle" and len(exported["objects"]) == 3  # with TLP:GREEN
    code, out = run("cti", "export", "--format", "misp", "--tlp", "green")
    assert code == 0, out
    assert "Event" in json.loads(out)
    for bad in (["--format", "csv"], ["--since", "last week"], ["--tlp", "purple"]):
        code, out = run("cti", "export", *bad)
        assert code == 2, out


def test_show_prints_the_object_its_versions_and_links(env: Path) -> None:
    v2 = indicator(modified="2024-03-02T10:00:00.000Z")
    run("cti", "import", str(bundle(env / "feed.json", [indicator(), v2])))
    code, out = run("cti", "show", v2["id"])
    assert code == 0, out
    assert "version 2024-03-02T10:00:00.000Z (current)" in out
    assert "versions: 2024-03-01T10:00:00.000Z, 2024-03-02T10:00:00.000Z" in out
    assert '"pattern": "[ipv4-addr:value = \'198.51.100.7\']"' in out
    code, out = run("cti", "show", indicator("missing")["id"])
    assert code == 2 and "no cti has the id" in out


def test_commands_act_as_the_named_account(env: Path) -> None:
    code, out = run(
        "users", "create", "rashad", "--agency", "agency-sbs", "--role", "analyst",
        "--clearance", "secret",
    )  # fmt: skip
    assert code == 0, out
    amber = indicator(marking=AMBER)
    run("cti", "import", str(bundle(env / "feed.json", [amber])))
    code, out = run("cti", "show", amber["id"], "--as", "rashad")
    assert code == 2 and "no cti has the id" in out  # AMBER of another agency
    code, out = run("cti", "import", str(env / "feed.json"), "--as", "rashad")
    assert code == 2 and "cti:create" in out  # analysts read, never import


def test_attack_load(env: Path) -> None:
    code, out = run("cti", "attack", "load", str(shared(ICS)))
    assert code == 0, out
    assert count(out, "stored") == count(out, "added to the collection") == 1826
    code, out = run("cti", "export", "--collection", "mitre-attack-ics", "--type", "x-mitre-matrix")
    assert code == 0, out
    assert [o["type"] for o in json.loads(out)["objects"]][-1] == "x-mitre-matrix"


def test_correlate_reports_the_pass_and_a_second_pass_finds_nothing_new(env: Path) -> None:
    path = bundle(env / "feed.json", [indicator("a")])
    assert run("cti", "import", str(path))[0] == 0
    code, out = run("cti", "correlate", "--since", "2020-01-01")
    assert code == 0, out
    assert "new indicators" in out and "0 newly linked" in out
    code, out = run("cti", "correlate", "--since", "not-a-date")
    assert code != 0 and "since" in out
