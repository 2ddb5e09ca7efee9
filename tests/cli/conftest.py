"""Fixtures of the command-line tests: an installation configured through the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qalxan.cli.common import console
from qalxan.settings import get_settings
from qalxan.store.engine import get_engine


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(console, "_width", 240)  # whole table cells, whatever the terminal
    monkeypatch.setenv("QALXAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QALXAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    get_engine(database_url).dispose()
