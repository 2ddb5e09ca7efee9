"""Reading the fields of a catalogue row: each bad value raises InvalidInput naming the
catalogue's own column, so that the operator can find it in the file."""

from __future__ import annotations

import math
from collections.abc import Mapping

from qalxan.errors import InvalidInput

Record = Mapping[str, str | None]


def text(record: Record, name: str) -> str | None:
    """The column's text, stripped; None when absent or blank."""
    value = record.get(name)
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def number(record: Record, name: str) -> float | None:
    """The column as a finite number; None when blank."""
    value = text(record, name)
    if value is None:
        return None
    try:
        found = float(value)
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a number", name) from None
    if not math.isfinite(found):
        raise InvalidInput(f"{name}: {value!r} is not a number", name)
    return found


def required(record: Record, name: str, why: str) -> float:
    found = number(record, name)
    if found is None:
        raise InvalidInput(f"{name}: missing ({why})", name)
    return found


def whole(record: Record, name: str) -> int | None:
    """The column as a whole number (``31.0`` is 31); None when blank."""
    found = number(record, name)
    if found is None:
        return None
    if not found.is_integer():
        raise InvalidInput(f"{name}: {found:g} is not a whole number", name)
    return int(found)


def coordinate(record: Record, name: str, limit: float) -> float:
    found = required(record, name, "a quake without its epicentre cannot be placed")
    if abs(found) > limit:
        raise InvalidInput(f"{name}: {found:g} is outside ±{limit:g}", name)
    return found
