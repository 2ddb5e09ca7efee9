"""The opaque ``next`` token: where the previous page ended, as a key, not an offset.

A page is ordered by the entry's ``date_added`` and then its ``seq``; the token holds both of
the last entry served, so that the next page starts right after it whatever was added or
removed meanwhile (an offset would skip or repeat objects then). It is also bound to the
filters it was made for: using it with other filters is refused, since the position means
nothing there. The token is not secret: forging one only moves the start of a page, every
filter and right still applies.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from qalxan.cti.taxii.filters import Filters
from qalxan.errors import InvalidInput

PREFIX = "q1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Cursor:
    date_added: datetime
    seq: int


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def token(cursor: Cursor, filters: Filters) -> str:
    micros = (aware(cursor.date_added) - EPOCH) // MICROSECOND
    text = f"{PREFIX}.{micros}.{cursor.seq}.{filters.digest}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor(filters: Filters) -> Cursor | None:
    """The position of ``filters.next`` (None for the first page)."""
    if filters.next is None:
        return None
    try:
        padded = filters.next + "=" * (-len(filters.next) % 4)
        prefix, micros, seq, digest = base64.urlsafe_b64decode(padded).decode().split(".")
        position = Cursor(EPOCH + int(micros) * MICROSECOND, int(seq))
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("next: not a token this server gave", field="next") from None
    if prefix != PREFIX:
        raise InvalidInput("next: not a token this server gave", field="next")
    if digest != filters.digest:
        raise InvalidInput("next: the token was made for other filters", field="next")
    return position
