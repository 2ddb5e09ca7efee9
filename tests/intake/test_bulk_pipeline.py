"""The bulk import's pipeline: how rows are cut into chunks, the collector paused while it runs,
and the JSON columns it encodes itself read back as the values they were."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from qalxan.intake import bulk, encoded, sources
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.tables import IncidentRow, MembershipRow, ReportRow
from qalxan.settings import Settings
from qalxan.store.engine import compact_json, session_factory
from tests.intake.test_bulk import DAY, importer
from tests.people import load_bundled


@pytest.mark.parametrize("count", [0, 1, 49, 50, 51, 149, 700, 5739])
def test_chunks_hold_every_row_once_in_order_small_at_both_ends(count: int) -> None:
    rows: list[Any] = list(range(count))
    chunks = list(bulk._chunks(rows, 500))
    assert [row for chunk in chunks for row in chunk] == rows
    assert all(0 < len(chunk) <= 500 for chunk in chunks)
    if count > bulk.FIRST_CHUNK:
        assert len(chunks[0]) == bulk.FIRST_CHUNK
        assert len(chunks[-1]) <= bulk.FIRST_CHUNK
    if count == 5739:
        assert max(len(chunk) for chunk in chunks) == 500


@pytest.mark.parametrize(
    "value",
    [
        {"b": [1, 2.5, None], "a": "Sərhəd «x»", "c": {"z": True, "y": False}},
        [],
        {},
        ["reported the incident", "not shared: marked TLP:RED"],
    ],
)
def test_encoded_json_is_what_the_store_would_write(value: Any) -> None:
    assert encoded.encoded(value) == compact_json(value)
    assert encoded.decoded(encoded.encoded(value)) == value


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_importing_and_restored_after(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    enabled: bool,
) -> None:
    text = "Customs officers seized smuggled cigarettes at the Samur crossing."
    path = _write(
        tmp_path / "r.jsonl",
        [{"id": f"g-{n}", "text": text, "date": DAY.date().isoformat()} for n in range(3)],
    )
    seen: list[bool] = []
    real_store = bulk._store

    def watching(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real_store(*args, **kwargs)

    monkeypatch.setattr(bulk, "_store", watching)
    monkeypatch.setattr(bulk, "CHUNK", 1)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        ctx = importer(engine, settings)
        outcome = bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="g")
        after = gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert outcome.stored == 3
    assert seen == [False, False, False]
    assert after is enabled


def test_json_columns_read_back_as_values(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report with objects and a point, and a second one joining its incident from the next
    chunk: every JSON column the writer encoded reads back as a value."""
    line = {
        "text": "An explosion damaged the gas pipeline near Qazax; two workers were injured.",
        "date": DAY.date().isoformat(),
        "lat": 41.09,
        "lon": 45.36,
        "injured": 2,
        "objects": [{"kind": "infrastructure", "description": "gas pipeline"}],
    }
    path = _write(tmp_path / "r.jsonl", [{**line, "id": "j-1"}, {**line, "id": "j-2"}])
    monkeypatch.setattr(bulk, "CHUNK", 1)
    ctx = importer(engine, settings)
    outcome = bulk.run(ctx, load_bundled(), RuleClassifier(), sources.read(path), origin="j")
    assert (outcome.stored, outcome.incidents, outcome.joined) == (2, 1, 1)
    with session_factory(engine)() as session:
        first, second = session.scalars(select(ReportRow).order_by(ReportRow.origin_ref)).all()
        incident = session.scalars(select(IncidentRow)).one()
        reasons = [m.reason for m in session.scalars(select(MembershipRow))]
    assert first.typing["method"] == "rules"
    assert first.typing["scores"][0][0] == first.event_type
    assert first.location["precision"] == "point"
    assert first.location["lat"] == pytest.approx(41.09)
    assert first.objects == [{"kind": "infrastructure", "description": "gas pipeline"}]
    assert second.typing == first.typing
    assert incident.report_count == 2
    assert isinstance(incident.severity_reasons, list)
    assert incident.severity_reasons[0]["rule"] == "base"
    assert set(incident.place_facts) == {
        "border_zone",
        "offshore",
        "nakhchivan",
        "pipeline",
        "pipeline_km",
    }
    assert encoded.NEW_INCIDENT in reasons
    assert any(r.get("incident") == incident.id for r in reasons)
