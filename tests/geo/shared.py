"""Where the third-party reference data lives (``../shared/data`` beside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
GEO_SOURCE = SHARED / "data" / "geo"
NCEI = (
    SHARED / "data" / "events" / "earthquakes" / "ncei_wds_significant_earthquakes_2150BC_2023.tsv"
)


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference data absent: {path} (set QALXAN_SHARED_DIR)")
    return path
