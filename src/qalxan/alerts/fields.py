"""CAP's structured text fields: timestamps, references and space-delimited lists.

Timestamps (CAP 1.2, 3.3.2): ``YYYY-MM-DDThh:mm:ss`` and an explicit offset; no ``Z``, no
fractions of a second; UTC is written ``-00:00``. A document that writes ``+00:00`` keeps it:
such a timestamp is read with :data:`PLUS_ZERO` as its zone, which compares equal to UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from qalxan.errors import InvalidInput

PLUS_ZERO = timezone(timedelta(0), "+00:00")
_TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)")
_LIST_ITEM = re.compile(r'"([^"]*)"|([^\s"]+)')


def parse_timestamp(text: str, field: str = "timestamp") -> datetime:
    """A CAP timestamp; :class:`InvalidInput` when it is not one."""
    match = _TIMESTAMP.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            f"{field}: {text!r} is not a CAP timestamp (YYYY-MM-DDThh:mm:ss with an offset "
            "such as +04:00 or -00:00 for UTC; no 'Z', no fractions of a second)",
            field=field,
        )
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    sign, off_hours, off_minutes = match[7], int(match[8]), int(match[9])
    offset = timedelta(hours=off_hours, minutes=off_minutes)
    if offset > timedelta(hours=14):
        raise InvalidInput(
            f"{field}: offset {sign}{match[8]}:{match[9]} is out of range", field=field
        )
    if not offset:
        zone = PLUS_ZERO if sign == "+" else UTC
    else:
        zone = timezone(-offset if sign == "-" else offset)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError as error:
        raise InvalidInput(f"{field}: {text!r} is not a date: {error}", field=field) from error


def format_timestamp(value: datetime, field: str = "timestamp") -> str:
    """``value`` as CAP writes it; :class:`InvalidInput` for a naive time or fractional seconds
    (CAP has no way to write either)."""
    offset = value.utcoffset()
    if offset is None:
        raise InvalidInput(f"{field}: a CAP timestamp needs a UTC offset", field=field)
    if value.microsecond:
        raise InvalidInput(f"{field}: CAP timestamps have whole seconds", field=field)
    if not offset:
        zone = "+00:00" if value.tzname() == "+00:00" else "-00:00"
    else:
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return value.strftime("%Y-%m-%dT%H:%M:%S") + zone


@dataclass(frozen=True, slots=True)
class Reference:
    """An earlier message named by ``<references>``: its sender, identifier and sent time."""

    sender: str
    identifier: str
    sent: datetime

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{format_timestamp(self.sent)}"


def parse_references(text: str, field: str = "references") -> tuple[Reference, ...]:
    """The ``sender,identifier,sent`` triples of a ``<references>`` value, in order."""
    found = []
    for item in text.split():
        parts = item.split(",")
        if len(parts) != 3 or not all(parts):
            raise InvalidInput(
                f"{field}: {item!r} is not a 'sender,identifier,sent' triple", field=field
            )
        found.append(Reference(parts[0], parts[1], parse_timestamp(parts[2], field)))
    return tuple(found)


def format_references(references: Iterable[Reference]) -> str:
    return " ".join(reference.text() for reference in references)


def split_list(text: str, field: str) -> tuple[str, ...]:
    """A space-delimited list (``<addresses>``, ``<incidents>``) whose items may be quoted
    when they contain spaces."""
    if text.count('"') % 2:
        raise InvalidInput(f"{field}: unbalanced double quote", field=field)
    return tuple(quoted or bare for quoted, bare in _LIST_ITEM.findall(text))


def format_list(items: Iterable[str]) -> str:
    return " ".join(f'"{item}"' if any(c.isspace() for c in item) else item for item in items)
