"""``qalxan intake train``: trains on a labelled file and stores the model in the data dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qalxan.bootstrap import bootstrap
from qalxan.cli import intake as intake_cli
from qalxan.cli.common import console
from qalxan.cli.intake import app
from qalxan.intake import curation
from qalxan.intake.classify import RuleClassifier, TrainedClassifier, classifier_for, model_path
from qalxan.intake.draft import Draft
from qalxan.intake.submit import submit
from qalxan.settings import get_settings
from tests.people import load_bundled, make_person

from .test_classify_model import synthetic

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(console, "_width", 200)
    monkeypatch.setenv("QALXAN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_train_from_a_file_stores_the_model_that_is_used_then(
    data_dir: Path, tmp_path: Path
) -> None:
    texts, labels = synthetic(200)
    source = tmp_path / "labelled.csv"
    lines = ["text,event_type", *(f'"{t}",{label}' for t, label in zip(texts, labels, strict=True))]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["train", "--from", str(source)])
    assert result.exit_code == 0, result.output
    assert "on 200 reports of 5 types" in result.output
    assert "validation on" in result.output and "accuracy" in result.output
    assert model_path(data_dir).exists()
    assert isinstance(classifier_for(data_dir), TrainedClassifier)


def test_a_bad_file_is_reported_with_its_line(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"text": "x", "event_type": "flood"}\n{"text": "y"}\n', encoding="utf-8")
    result = runner.invoke(app, ["train", "--from", str(source)])
    assert result.exit_code == 2
    assert "bad.jsonl, line 2: the event type is empty" in result.output
    assert not model_path(data_dir).exists()


def test_training_on_the_reports_analysts_labelled(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["train"])
    assert result.exit_code == 2
    assert "only 0 reports" in re.sub(r"[\s│]+", " ", result.output)

    settings = get_settings()
    engine = bootstrap(settings)
    analyst = make_person(engine, settings, "analyst", "agency-mes", ["analyst", "duty_officer"])
    ctx = analyst.ctx(engine, settings)
    texts, labels = synthetic(60)
    when = datetime.now(UTC) - timedelta(days=1)
    for text, label in zip(texts, labels, strict=True):
        stored = submit(ctx, load_bundled(), RuleClassifier(), Draft(text, when, tlp="GREEN"))
        curation.label(ctx, stored.report_id, label)
    monkeypatch.setattr(intake_cli, "MIN_LABELLED", 50)
    result = runner.invoke(app, ["train"])
    assert result.exit_code == 0, result.output
    assert "on 60 reports" in result.output
    assert isinstance(classifier_for(data_dir), TrainedClassifier)
