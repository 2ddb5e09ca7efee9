"""Keyset pages, newest first: a cursor names the last row seen (its time and id), so that a
page costs the same at the millionth row as at the first and rows added meanwhile do not shift
the pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from qalxan.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    next: str | None


def cursor(at: datetime, row_id: str) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return f"{at.strftime('%Y%m%dT%H%M%S.%f')}~{row_id}"


def parse(value: str) -> tuple[datetime, str]:
    stamp, _, row_id = value.partition("~")
    try:
        at = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput("before: not a cursor this service gave out", "before") from None
    if not row_id or len(row_id) > 32:
        raise InvalidInput("before: not a cursor this service gave out", "before")
    return at, row_id


def page(
    rows: list[T], limit: int, at: Callable[[T], datetime], key: Callable[[T], str]
) -> Page[T]:
    """The page of ``rows`` fetched by :func:`after` (one more than ``limit``), with the cursor
    of the next page when there is one."""
    if len(rows) <= limit:
        return Page(rows, None)
    kept = rows[:limit]
    return Page(kept, cursor(at(kept[-1]), key(kept[-1])))


def after(
    query: Select[Any],
    at: InstrumentedAttribute[datetime],
    row_id: InstrumentedAttribute[str],
    before: str | None,
    limit: int,
) -> Select[Any]:
    """``query`` ordered newest first, from after the cursor ``before``, one row more than
    ``limit`` (to know whether there is a next page)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}", "limit")
    if before is not None:
        stamp, last = parse(before)
        query = query.where(or_(at < stamp, and_(at == stamp, row_id < last)))
    return query.order_by(at.desc(), row_id.desc()).limit(limit + 1)
