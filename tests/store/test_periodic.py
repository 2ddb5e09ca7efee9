"""Background housekeeping: repeated while the block runs, surviving a failure, then stopped."""

from __future__ import annotations

import logging
import threading

import pytest

from qalxan.store.periodic import periodic


def test_work_repeats_survives_a_failure_and_stops_with_the_block(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []
    third = threading.Event()

    def work() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("first time fails")
        if len(calls) >= 3:
            third.set()

    with caplog.at_level(logging.ERROR), periodic("test-periodic", 0.01, work, "work failed"):
        assert third.wait(5)
    done = len(calls)
    assert not any(t.name == "test-periodic" for t in threading.enumerate())
    assert len(calls) == done  # nothing runs after the block
    assert "work failed" in caplog.text
