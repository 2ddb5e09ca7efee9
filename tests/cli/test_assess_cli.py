"""``qalxan assess report`` and ``qalxan assess narrative`` from the console."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from qalxan.cli.main import app
from tests.picture.test_report import last_month

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_report_writes_the_pdf_and_the_html_with_the_narrative(env: Path) -> None:
    period = last_month().label
    code, out = run(
        "assess", "narrative", "--period", period, "--file", "-", "--classification", "secret",
        stdin="The border stayed calm.\n",
    )  # fmt: skip
    assert code == 0, out
    assert f"saved the narrative of {period} as version 1" in out
    pdf = env / "nta.pdf"
    code, out = run("assess", "report", "--period", period, "--out", str(pdf))
    assert code == 0, out
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "marked SECRET" in out  # the narrative's classification
    html = env / "nta.html"
    code, out = run("assess", "report", "--period", period, "--out", str(html), "--html")
    assert code == 0, out
    page = html.read_text("utf-8")
    assert (
        "The border stayed calm." in page and '<div class="banner" role="note">SECRET</div>' in page
    )
    assert sorted(p.name for p in env.iterdir() if p.name.startswith(".nta")) == []


def test_report_refuses_bad_input_and_writes_nothing(env: Path) -> None:
    out_file = env / "nta.pdf"
    for period in ("2026-13", "2026-W60", "last month"):
        code, out = run("assess", "report", "--period", period, "--out", str(out_file))
        assert code == 2, out
        assert "period" in out
    code, out = run("assess", "report", "--period", "2026-10", "--out", str(env / "no/nta.pdf"))
    assert code == 2 and "out:" in out
    code, out = run("assess", "report", "--period", "2026-10", "--out", str(out_file), "--as", "x")
    assert code == 2 and "no active account" in out
    assert not out_file.exists()


def test_report_acts_as_the_named_account(env: Path) -> None:
    code, out = run(
        "users", "create", "rashad", "--agency", "agency-sss", "--role", "analyst",
        "--clearance", "restricted",
    )  # fmt: skip
    assert code == 0, out
    period = last_month().label
    text = env / "narrative.txt"
    text.write_text("Only for the secret-cleared.", "utf-8")
    code, out = run(
        "assess", "narrative", "--period", period, "--file", str(text), "--classification",
        "secret",
    )  # fmt: skip
    assert code == 0, out
    html = env / "nta.html"
    code, out = run(
        "assess", "report", "--period", period, "--out", str(html), "--html", "--as", "rashad"
    )
    assert code == 0, out
    page = html.read_text("utf-8")
    assert "Only for the secret-cleared." not in page  # above rashad's clearance
    assert "rashad, cleared RESTRICTED - FOR OFFICIAL USE" in page
    assert "marked UNCLASSIFIED" in out
