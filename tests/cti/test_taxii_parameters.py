"""The TAXII core's pure parts: content negotiation, URL parameters and ``next`` tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qalxan.cti.taxii import filters, media, paging
from qalxan.cti.taxii.filters import Filters
from qalxan.errors import InvalidInput


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        (None, True),
        ("", True),
        (media.TAXII_21, True),
        ("application/taxii+json", True),
        ("application/taxii+json; version=2.1", True),
        ("*/*", True),
        ("application/*", True),
        ("text/html, application/taxii+json;version=2.1;q=0.5", True),
        ("application/taxii+json;version=2.0", False),
        ("application/taxii+json;version=2.1;q=0", False),
        ("application/json", False),
        ("application/stix+json;version=2.1", False),
        ("text/*", False),
    ],
)
def test_accept(accept: str | None, ok: bool) -> None:
    assert media.acceptable(accept) is ok


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        (media.TAXII_21, True),
        ("application/taxii+json", True),
        ("Application/TAXII+json; version=2.1", True),
        ("application/taxii+json;version=2.0", False),
        ("application/json", False),
        ("*/*", False),
        (None, False),
    ],
)
def test_content_type(content_type: str | None, ok: bool) -> None:
    assert media.sendable(content_type) is ok


def test_filters_are_parsed() -> None:
    chosen = filters.parse(
        [
            ("added_after", "2024-01-01T00:00:00.5Z"),
            ("match[type]", "indicator,malware"),
            ("match[type]", "indicator"),
            ("match[version]", "first,2024-02-02T10:00:00Z"),
            ("match[spec_version]", "2.1"),
            ("limit", "999999"),
        ],
        filters.OBJECTS,
    )
    assert chosen.added_after == datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
    assert chosen.types == ("indicator", "malware")
    assert chosen.versions == ("first", "2024-02-02T10:00:00Z")
    assert chosen.timestamps == (datetime(2024, 2, 2, 10, tzinfo=UTC),)
    assert chosen.limit == filters.MAX_LIMIT
    assert filters.parse([], filters.OBJECTS) == Filters()
    assert filters.parse([], filters.VERSIONS, "all").versions == ("all",)


@pytest.mark.parametrize(
    ("params", "allowed", "named"),
    [
        ([("match[id]", "")], filters.OBJECTS, "match[id]"),
        ([("added_after", "a"), ("added_after", "b")], filters.OBJECTS, "added_after"),
        ([("match[type]", "indicator")], filters.OBJECT, "match[type]"),
        ([("added_after", "2024-01-01T00:00:00Z")], filters.DELETE, "added_after"),
        ([("limit", "-1")], filters.OBJECTS, "limit"),
        ([("match[version]", "latest")], filters.OBJECTS, "match[version]"),
    ],
)
def test_bad_parameters_are_named(
    params: list[tuple[str, str]], allowed: frozenset[str], named: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        filters.parse(params, allowed)
    assert refused.value.field == named


def test_tokens_keep_the_position_and_their_filters() -> None:
    chosen = Filters(types=("indicator",), limit=5)
    at = paging.Cursor(datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), 42)
    token = paging.token(at, chosen)
    assert paging.cursor(Filters(types=("indicator",), limit=50, next=token)) == at
    for other in (Filters(next=token), Filters(types=("malware",), next=token)):
        with pytest.raises(InvalidInput, match="other filters"):
            paging.cursor(other)
    for forged in ("", "bm9wZQ", "q1.1.2.3", token[:-3]):
        with pytest.raises(InvalidInput) as refused:
            paging.cursor(Filters(types=("indicator",), next=forged))
        assert refused.value.field == "next"
    assert paging.cursor(chosen) is None
