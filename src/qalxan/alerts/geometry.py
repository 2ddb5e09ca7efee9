"""CAP's coordinates as text: ``lat,lon`` pairs (WGS 84), polygons and circles.

CAP 1.2, 3.2.4: a polygon is a whitespace-delimited list of at least four pairs whose first and
last are the same; a circle is a pair, a space and a radius in kilometres. The parsers read what
the text says and raise :class:`~qalxan.errors.InvalidInput` with the reason when it cannot be
read; whether a ring is closed or long enough is the validator's business.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qalxan.errors import InvalidInput

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_PAIR = re.compile(rf"({_NUMBER}),({_NUMBER})")
_CIRCLE = re.compile(rf"\s*({_NUMBER},{_NUMBER})\s+({_NUMBER})\s*")


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS 84 position in decimal degrees."""

    lat: float
    lon: float

    @property
    def in_range(self) -> bool:
        return -90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0


def parse_pair(text: str, field: str = "pair") -> Point:
    match = _PAIR.fullmatch(text)
    if match is None:
        raise InvalidInput(f"{field}: {text!r} is not a 'latitude,longitude' pair", field=field)
    return Point(float(match[1]), float(match[2]))


def parse_points(text: str, field: str = "polygon") -> tuple[Point, ...]:
    """The pairs of a polygon, in order."""
    return tuple(parse_pair(pair, field) for pair in text.split())


def parse_circle(text: str, field: str = "circle") -> tuple[Point, float]:
    """(centre, radius in km) of ``'lat,lon radius'``."""
    match = _CIRCLE.fullmatch(text)
    if match is None:
        raise InvalidInput(
            f"{field}: {text!r} is not 'latitude,longitude radius' (radius in km)", field=field
        )
    return parse_pair(match[1], field), float(match[2])


def format_number(value: float) -> str:
    """Decimal degrees or kilometres without an exponent or a trailing ``.0``."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_points(points: Sequence[Point]) -> str:
    return " ".join(f"{format_number(p.lat)},{format_number(p.lon)}" for p in points)


def format_circle(center: Point, radius_km: float) -> str:
    return f"{format_number(center.lat)},{format_number(center.lon)} {format_number(radius_km)}"
