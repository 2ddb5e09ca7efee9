"""The USGS ComCat catalogue as CSV: the FDSN event service's export (``time, latitude,
longitude, depth, mag, magType, ..., id, updated, place, type, ..., status``) and the reduced
extract of the ETAS studies (``date, time, long, lat, mag``: no id, depth or place).

A row's reference is ``usgs:`` and ComCat's event id (``usgs:us7000abcd``). The extract has no
id: its rows are keyed by their origin time and epicentre (``usgs:1973-01-06T15:39:31.00@
38.003,46.427``), which name one quake and are the same in every extract of the catalogue.
A revised solution keeps its event id, so importing a newer export stores nothing new: the
first solution imported stays (``updated`` is not followed).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time
from typing import TypeVar

from qalxan.alerts.catalogue_fields import Record, coordinate, number, text
from qalxan.alerts.catalogue_quake import Epicentre, Grade, Quake
from qalxan.errors import InvalidInput

SOURCE = "USGS ComCat"
# The USGS National Earthquake Information Center is the reference authority for the world's
# seismicity, each solution computed from the records of many stations: A, completely reliable.
# A reviewed solution has been checked by a seismologist: 1, confirmed. An automatic one is
# probably right but may still move, change magnitude or be deleted as a false detection: 2.
REVIEWED = Grade("A", 1)
AUTOMATIC = Grade("A", 2)
SERVICE = frozenset({"time", "latitude", "longitude", "mag", "id"})
EXTRACT = frozenset({"date", "time", "long", "lat", "mag"})
T = TypeVar("T")


def recognises(header: Collection[str]) -> bool:
    columns = set(header)
    return columns >= SERVICE or columns >= EXTRACT


def epicentre(record: Record) -> Epicentre:
    service = "latitude" in record
    return Epicentre(
        coordinate(record, "latitude" if service else "lat", 90.0),
        coordinate(record, "longitude" if service else "long", 180.0),
        number(record, "mag"),
    )


def quake(record: Record) -> Quake:
    """The quake of one row; InvalidInput names the first bad column."""
    service = "latitude" in record
    kind = text(record, "type")
    if kind is not None and kind != "earthquake":
        raise InvalidInput(
            f"type: {kind!r} is not an earthquake (only earthquakes are taken)", "type"
        )
    at = _service_time(record) if service else _extract_time(record)
    where = epicentre(record)
    event = text(record, "id")
    if service and event is None:
        raise InvalidInput("id: missing (ComCat's event id keys the quake)", "id")
    if event is not None:
        ref = f"usgs:{event}"
    else:
        centi = at.microsecond // 10_000
        ref = f"usgs:{at:%Y-%m-%dT%H:%M:%S}.{centi:02d}@{where.lat:.3f},{where.lon:.3f}"
    return Quake(
        ref=ref,
        event=event,
        source=SOURCE,
        grade=AUTOMATIC if text(record, "status") == "automatic" else REVIEWED,
        at=at,
        lat=where.lat,
        lon=where.lon,
        magnitude=where.magnitude,
        magnitude_type=text(record, "magType"),
        depth_km=number(record, "depth"),
        place=text(record, "place"),
    )


def _service_time(record: Record) -> datetime:
    value = _part(record, "time", datetime.fromisoformat)
    # ComCat's times are UTC; the export writes them with a Z.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _extract_time(record: Record) -> datetime:
    """The extract's date and time of day, UTC (written without an offset)."""
    return datetime.combine(
        _part(record, "date", date.fromisoformat), _part(record, "time", time.fromisoformat), UTC
    )


def _part(record: Record, name: str, parse: Callable[[str], T]) -> T:
    value = text(record, name)
    if value is None:
        raise InvalidInput(f"{name}: missing", name)
    try:
        return parse(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not an ISO 8601 {name}", name) from None
