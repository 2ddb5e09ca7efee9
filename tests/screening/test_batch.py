"""Screening many queries at once: in order, each party once, the same results as one by one."""

from __future__ import annotations

from unittest import mock

import pytest

from qalxan.screening import batch
from qalxan.screening.index import Index
from qalxan.screening.matcher import Matcher
from qalxan.screening.query import Query
from tests.screening.test_matching import ENTRIES


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Index.build(ENTRIES))


def _queries() -> list[Query]:
    return [
        Query("a1", ("Saddam Hussein al-Tikriti",)),
        Query("b1", ("Ilham Aliyev",), gender="male"),
        Query("a2", ("Saddam Hussein al-Tikriti",)),
        # The same name with another fact is another party.
        Query("a3", ("Saddam Hussein al-Tikriti",), birth_dates=("1990-01-01",)),
        Query("c1", ("OCEAN STAR",), schema="Vessel"),
        Query("b2", ("Ilham Aliyev",), gender="male"),
        Query("a4", ("Saddam Hussein al-Tikriti",)),
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_repeated_party_is_screened_once_and_answered_for_each_row(
    matcher: Matcher, workers: int
) -> None:
    queries = _queries()
    listed = matcher.index.entities
    one_by_one = [
        [(listed[at].id, score) for at, score in matcher.ranked(q, 3, floor=0.0)] for q in queries
    ]
    counted: list[int] = []
    with mock.patch.object(batch, "_screen", wraps=batch._screen) as screened:
        found = batch.screen_queries(
            matcher,
            queries,
            top=3,
            floor=0.0,
            allowed=None,
            workers=workers,
            progress=counted.append,
        )
    assert [[(f.entity_id, f.score) for f in row] for row in found] == one_by_one
    assert found[0] == found[2] == found[6] and found[1] == found[5]
    assert found[0] is not found[2]  # each row its own list
    assert found[3][0].score < found[0][0].score  # its birth date weighed
    assert sum(counted) == len(queries)
    if workers == 1:  # the workers' calls are in other processes
        asked = [call.args[1][at].key for call in screened.call_args_list for at in call.args[2]]
        assert sorted(asked) == ["a1", "a3", "b1", "c1"]


def test_many_queries_over_two_workers_come_back_in_their_order(matcher: Matcher) -> None:
    # Chunks of 3 over two workers: each works through its own stretch of the queries
    # (ordered by their words) and then takes what is left of the other's.
    names = [e.entity.first("name") or "" for e in ENTRIES]
    queries = [
        Query(f"q{n}", (names[(n * 7) % len(names)],), schema=ENTRIES[(n * 7) % len(names)].schema)
        for n in range(45)
    ]
    counted: list[int] = []
    found = batch.screen_queries(
        matcher, queries, top=2, floor=0.0, allowed=None, workers=2, progress=counted.append
    )
    listed = matcher.index.entities
    expected = [[(listed[at].id, score) for at, score in matcher.ranked(q, 2)] for q in queries]
    assert [[(f.entity_id, f.score) for f in row] for row in found] == expected
    assert found[0][0].caption == names[0]
    assert sum(counted) == len(queries)
