"""``qalxan reports import`` and ``qalxan reports classify`` from the console."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qalxan.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def reports_file(path: Path) -> Path:
    rows = [
        {
            "id": "a1",
            "text": "Zəlzələ: Şamaxıda 4.5 bal gücündə zəlzələ olub, evlər zədələnib.",
            "date": "2026-10-01",
        },
        {
            "id": "a2",
            "text": "В Газахском районе задержаны двое, изъято 5 кг наркотиков.",
            "date": "2026-10-02",
        },
        {
            "id": "a3",
            "text": "About 300 people held a peaceful rally in Ganja.",
            "date": "2026-10-03",
        },
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_import_stores_once_and_refuses_bad_files(env: Path) -> None:
    path = reports_file(env / "reports.jsonl")
    code, out = run("reports", "import", str(path), "--agency", "agency-mes")
    assert code == 0, out
    assert "3 stored" in out
    code, out = run("reports", "import", str(path), "--agency", "agency-mes")
    assert code == 0 and "0 stored" in out and "3 already stored" in out
    bad = env / "bad.jsonl"
    bad.write_text('{"id": "b", "text": "x", "date": "tomorrow"}\n', "utf-8")
    code, out = run("reports", "import", str(bad))
    assert code == 2
    assert "line 1: observed_at" in out and "nothing imported" in out
    code, out = run("reports", "import", str(path), "--agency", "agency-nowhere")
    assert code == 2 and "agency" in out


def test_a_file_with_bad_lines_is_refused_whole_or_imported_without_them(env: Path) -> None:
    path = reports_file(env / "reports.jsonl")
    lines = path.read_text("utf-8").splitlines()
    lines.insert(1, '{"id": "b1", "text": "x", "date": "tomorrow"}')
    lines.append('{"id": "b2", "text": "y", "date": "2026-10-01", "lat": 123, "lon": 1}')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out = run("reports", "import", str(path), "--agency", "agency-mes")
    assert code == 2
    assert "line 2: observed_at" in out and "line 5: lat" in out
    assert "2 bad line(s), nothing imported" in out
    code, out = run("reports", "import", str(path), "--agency", "agency-mes", "--skip-invalid")
    assert code == 0, out
    assert "3 stored" in out and "2 skipped" in out
    assert "skipped line 2: observed_at" in out


def test_a_file_that_is_no_utf8_text_or_holds_a_nul_is_refused_with_the_reason(env: Path) -> None:
    wide = env / "wide.csv"
    wide.write_text("id,text,date\n1,Flood in Baku,2026-10-01\n", encoding="utf-16")
    code, out = run("reports", "import", str(wide))
    assert code == 2
    assert "wide.csv: not UTF-8 text" in out and "Traceback" not in out
    nul = env / "nul.jsonl"
    nul.write_text(json.dumps({"id": "n", "text": "Flood\u0000 in Baku", "date": "2026-10-01"}))
    code, out = run("reports", "import", str(nul))
    assert code == 2
    assert "line 1: narrative: contains a NUL character" in out


def test_classify_types_and_places_without_storing(env: Path) -> None:
    path = reports_file(env / "reports.jsonl")
    out_path = env / "typed.jsonl"
    code, out = run("reports", "classify", str(path), "--out", str(out_path))
    assert code == 0, out
    answers = {a["id"]: a for a in map(json.loads, out_path.read_text("utf-8").splitlines())}
    assert answers["a1"]["event_type"] == "earthquake"
    assert answers["a1"]["location"]["admin1"] == "AZ-SMI"
    assert answers["a2"]["event_type"] == "drug-trafficking"
    assert answers["a2"]["location"]["admin1"] == "AZ-QAZ"
    assert answers["a2"]["threats"] == ["threat-3-5"]
    assert answers["a3"]["event_type"] == "peaceful-protest"
    assert answers["a3"]["acled_event_type"] == "Protests"
    assert answers["a3"]["threats"] == []
    assert "not a threat" in answers["a3"]["explanation"]
    for answer in answers.values():
        assert set(answer) == {
            "id",
            "event_type",
            "acled_event_type",
            "event_type_scores",
            "threats",
            "location",
            "explanation",
        }
    code, out = run("reports", "classify", str(env / "missing.jsonl"))
    assert code == 2
