"""The collector around bulk work: paused and back, and what others froze left frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from qalxan import collector


@pytest.fixture(autouse=True)
def _nothing_frozen() -> Iterator[None]:
    gc.unfreeze()
    collector._forever = False
    enabled = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    collector._forever = False
    if not enabled:
        gc.disable()


def test_paused_stops_collections_and_brings_them_back() -> None:
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_paused_leaves_the_blocks_survivors_old_without_walking_them() -> None:
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        with collector.paused():
            kept = [[i] for i in range(50_000)]  # tracked containers the block still holds
        after = [[i] for i in range(100)]
    finally:
        gc.callbacks.remove(seen)
    # Promoted to the oldest generation at once: the allocations after the block do not set
    # off a collection that walks them (one did, for a tenth of a second, after every import).
    assert collections == []
    assert len(kept) + len(after) == 50_100


def test_paused_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_frozen_for_fork_unfreezes_what_it_froze() -> None:
    with collector.frozen_for_fork():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_what_was_kept_forever_stays_frozen_through_bulk_work() -> None:
    kept = [[1], [2]]
    collector.keep_forever()  # as the screening index does
    with collector.frozen_for_fork():
        pass
    with collector.paused():
        pass
    # Frozen objects are out of every generation the collector walks.
    assert not any(o is kept for o in gc.get_objects())
    gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())
