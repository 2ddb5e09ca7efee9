"""``qalxan oversight`` and ``qalxan retention`` from the console."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from typer.testing import CliRunner

from qalxan.access import signing
from qalxan.access.tables import AuditRow, LoginFailureRow
from qalxan.cli.main import app
from qalxan.settings import get_settings
from qalxan.store.engine import get_engine, transaction

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_report_is_written_signed_and_verified(env: Path) -> None:
    out = env / "report.json"
    code, text = run(
        "oversight", "report", "--since", "2026-01-01", "--until", "2026-12-31", "--out", str(out)
    )
    assert code == 0, text
    assert f"wrote {out}" in text and "signed by key" in text
    report = json.loads(out.read_text("utf-8"))
    assert report["generated_by"]["username"].startswith("cli:")
    assert report["period"]["timezone"] == "Asia/Baku"

    code, text = run("oversight", "verify-report", str(out))
    assert code == 0, text
    assert "valid: signed by key" in text and "warning" not in text

    pem = env / "platform.pem"
    pem.write_text(
        signing.public_pem(signing.load(get_settings().resolved_signing_key_path()).public)
    )
    assert run("oversight", "verify-report", str(out), "--public-key", str(pem))[0] == 0

    report["summary"]["cases"] = [{"agency": "agency-mia", "opened": 99, "closed": 0}]
    changed = env / "changed.json"
    changed.write_text(json.dumps(report), encoding="utf-8")
    code, text = run("oversight", "verify-report", str(changed))
    assert code == 1 and "invalid" in text and "changed" in text

    other = env / "other.pem"
    other.write_text(signing.public_pem(Ed25519PrivateKey.generate().public_key()))
    code, text = run("oversight", "verify-report", str(out), "--public-key", str(other))
    assert code == 1 and "not by key" in text

    with transaction(get_engine(get_settings().resolved_database_url)) as session:
        made = session.scalars(select(AuditRow).where(AuditRow.action == "oversight.read")).one()
    assert (made.via, made.detail["view"], made.outcome) == ("cli", "report", "success")


def test_report_errors_are_clear(env: Path) -> None:
    code, text = run(
        "oversight",
        "report",
        "--since",
        "2026-03-02",
        "--until",
        "2026-03-01",
        "--out",
        str(env / "r.json"),
    )
    assert code == 2 and "since: must be before until" in text
    code, text = run("oversight", "verify-report", str(env / "missing.json"))
    assert code == 2 and "cannot read" in text


def test_retention_run_prints_counts_and_dry_run_deletes_nothing(env: Path) -> None:
    assert run("db", "upgrade")[0] == 0
    engine = get_engine(get_settings().resolved_database_url)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with transaction(engine) as session:
        session.add_all([LoginFailureRow(key=f"user:{i}", at=long_ago) for i in range(3)])
        session.add(LoginFailureRow(key="user:recent"))

    code, text = run("retention", "run", "--dry-run")
    assert code == 0, text
    assert "dry run" in text and "login_failure" in text
    line = next(row for row in text.splitlines() if "login_failure" in row)
    assert line.rstrip(" │|").split()[-1] == "3"
    with transaction(engine) as session:
        assert len(session.scalars(select(LoginFailureRow)).all()) == 4

    code, text = run("retention", "run")
    assert code == 0, text
    assert "deleted" in text
    with transaction(engine) as session:
        assert [r.key for r in session.scalars(select(LoginFailureRow))] == ["user:recent"]
        purge = session.scalars(
            select(AuditRow).where(
                AuditRow.action == "retention.purge", AuditRow.record_type == "login_failure"
            )
        ).one()
    assert purge.detail["count"] == 3 and purge.via == "cli"
