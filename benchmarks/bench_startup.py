"""Cold start of ``qalxan serve`` to its first answered request (a doctrine summary)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import Row, median, served

RUNS = 3
TARGET_S = 10.0


def run() -> list[Row]:
    cold, warm = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            with served(data) as (_, seconds):  # new database: migrate and load the doctrine
                cold.append(seconds)
            with served(data) as (_, seconds):  # existing database
                warm.append(seconds)
    return [
        Row(
            "serve: cold start, empty data dir -> first answer",
            f"{median(cold):.2f} s",
            f"< {TARGET_S:.0f} s",
            median(cold) < TARGET_S,
            f"median of {RUNS}, SQLite",
        ),
        Row(
            "serve: restart, existing database -> first answer",
            f"{median(warm):.2f} s",
            f"< {TARGET_S:.0f} s",
            median(warm) < TARGET_S,
            f"median of {RUNS}, SQLite",
        ),
    ]
