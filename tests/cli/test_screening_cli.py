"""``qalxan lists`` and ``qalxan screen`` from the console."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from qalxan.access.tables import AuditRow
from qalxan.cli.main import app
from qalxan.screening import batch, service
from qalxan.store.engine import get_engine, transaction

runner = CliRunner()
LIST = """id,name,birth_date,nationality
AZ-1,Aram Synthetic,1970-01-01,am
AZ-2,Bora Example,1965,tr
AZ-3,Aram Example,1980,az
AZ-4,Bora Synthetic,1990,az
"""
PARTIES = """id,name,birth_date,nationality
q1,Aram Synthetic,1970-01-01,Armenia
q2,Bora Exampel,,
q3,Sevda Nobody,,
"""


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def audits(database_url: str, action: str) -> list[AuditRow]:
    with transaction(get_engine(database_url)) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == action)))


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_lists_import_show_and_screen(env: Path, database_url: str) -> None:
    names = ("--title", "Test list", "--authority", "Test authority")
    basis = ("--legal-basis", "Test law, article 1", "--uses", "border,customs")
    code, out = run("lists", "declare", "az-test", *names, *basis)
    assert code == 0, out
    assert "az-test: declared for border, customs (owner agency-ssscis)" in out
    source = env / "national.csv"
    source.write_text(LIST, "utf-8")
    code, out = run("lists", "import", str(source), "--format", "csv", "--list", "az-test")
    assert code == 0, out
    assert "az-test version 1: 4 added, 0 removed, 0 changed, 0 unchanged" in out
    assert "re-screened 0 subjects" in out
    code, out = run("lists", "import", str(source), "--format", "csv", "--list", "az-test")
    assert code == 0 and "nothing changed; version 1 already holds this content" in out
    code, out = run("lists", "show")
    assert code == 0, out
    assert "az-test" in out and "Test law, article 1" in out and "un-sc" in out
    assert "agency-ssscis" in out and "bundled" in out

    parties = env / "parties.csv"
    parties.write_text(PARTIES, "utf-8")
    alerts = env / "alerts.csv"
    code, out = run("screen", str(parties), "--out", str(alerts), "--use", "border")
    assert code == 0, out
    assert "3 queries, 2 alerts" in out and "queries/s" in out
    written = rows(alerts)
    assert tuple(written[0]) == batch.OUTPUT
    assert batch.OUTPUT == (
        "query_id",
        "rank",
        "entity_id",
        "list",
        "source_id",
        "caption",
        "score",
    )
    assert [(r["query_id"], r["rank"], r["source_id"]) for r in written] == [
        ("q1", "1", "AZ-1"),
        ("q2", "1", "AZ-2"),
    ]
    assert written[0]["entity_id"] == "az-test-az-1" and written[0]["list"] == "az-test"
    assert float(written[0]["score"]) >= 0.85 and written[1]["caption"] == "Bora Example"

    everything = env / "top2.csv"
    args = ("--threshold", "0", "--top", "2", "--workers", "2")
    code, out = run("screen", str(parties), "--out", str(everything), *args)
    assert code == 0, out
    top = [(r["query_id"], r["rank"]) for r in rows(everything)]
    assert top[:4] == [("q1", "1"), ("q1", "2"), ("q2", "1"), ("q2", "2")]
    assert rows(everything)[0]["source_id"] == "AZ-1"
    assert rows(everything)[2]["source_id"] == "AZ-2"

    # A batch is one audit record, and stores no hit.
    batches = audits(database_url, "screening.batch")
    assert audits(database_url, "screening.create") == []
    assert [(b.outcome, b.detail["queries"], b.detail["alerts"]) for b in batches] == [
        ("success", 3, 2),
        ("success", 3, 2),
    ]
    assert batches[0].detail["sha256"] == service.source_sha256(parties)
    assert batches[0].detail["file"] == "parties.csv" and batches[0].actor_name.startswith("cli:")


def test_a_bad_line_writes_nothing(env: Path) -> None:
    parties = env / "parties.csv"
    parties.write_text("id,name,nationality\nq1,Aram Synthetic,am\nq2,Bora Example,Narnia\n")
    out_path = env / "out.csv"
    code, out = run("screen", str(parties), "--out", str(out_path))
    assert code == 2
    assert "line 3: nationality: 'Narnia' is not a country" in out
    assert not out_path.exists() and list(env.glob(".out.csv*")) == []
    code, out = run("lists", "import", str(parties), "--format", "csv")
    assert code == 2 and "list: name the list" in out
