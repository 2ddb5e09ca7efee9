"""How a batch's queries are dealt out to its workers."""

from __future__ import annotations

import random

import pytest

from qalxan.screening.stretches import Stretches


def _drain(plan: Stretches, seed: int) -> list[tuple[int, range]]:
    """Take chunks until none is left, the stretches asking in a random order (workers finish
    their chunks when they do)."""
    rng = random.Random(seed)
    taken: list[tuple[int, range]] = []
    asking = list(range(len(plan)))
    while asking:
        stretch = rng.choice(asking)
        chunk = plan.take(stretch)
        if chunk is None:
            asking.remove(stretch)
        else:
            taken.append((stretch, chunk))
    return taken


@pytest.mark.parametrize(
    ("total", "workers"), [(1, 1), (1, 4), (7, 2), (45, 2), (1000, 3), (10_499, 2)]
)
def test_every_position_is_taken_once(total: int, workers: int) -> None:
    for seed in range(5):
        plan = Stretches(total, workers, largest=50, smallest=4)
        taken = _drain(plan, seed)
        positions = sorted(p for _, chunk in taken for p in chunk)
        assert positions == list(range(total))
        assert all(len(chunk) <= 50 for _, chunk in taken)
        assert len(plan) == min(workers, total)


def test_nothing_to_take() -> None:
    plan = Stretches(0, 2)
    assert len(plan) == 0
    assert plan.take(0) is None


def test_chunks_shrink_toward_the_end_of_a_stretch() -> None:
    plan = Stretches(1000, 1, largest=100, smallest=10)
    sizes = []
    while (chunk := plan.take(0)) is not None:
        sizes.append(len(chunk))
    # A quarter of what is left, between the bounds: large first, small last.
    assert sizes[:7] == [100] * 7
    assert sizes[7:10] == [75, 57, 42]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= 10
    assert sum(sizes) == 1000


def test_a_worker_done_takes_over_the_back_half_of_the_fullest_stretch() -> None:
    plan = Stretches(100, 2, largest=10, smallest=10)
    assert plan.take(0) == range(0, 10)
    while plan.left(1):
        plan.take(1)
    # The second worker is done with its own stretch (50..99): it takes over 30..49, the back
    # half of the 40 left of the first one's, and goes on from the front of it.
    assert plan.take(1) == range(30, 40)
    assert plan.left(0) == 20
    assert plan.take(0) == range(10, 20)
    # The last position left anywhere is taken whole.
    plan = Stretches(3, 3)
    assert [plan.take(0), plan.take(0), plan.take(0), plan.take(0)] == [
        range(0, 1),
        range(1, 2),
        range(2, 3),
        None,
    ]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Stretches(10, 0)
