"""The NOAA NCEI / WDS Global Significant Earthquake Database, as its search page exports it
(tab-separated, or the same columns as CSV): the origin time in parts (``Year`` negative
before Christ, -2150 for 2150 BC; any of ``Mo``/``Dy``/``Hr``/``Mn``/``Sec`` may be blank),
``Location Name``, ``Latitude``, ``Longitude``, ``Focal Depth (km)``, ``Mag`` and the effects
(deaths, missing, injuries, damage, houses), each as a number and as a description code 1-4
where the number is not known. The ``Total ...`` columns count the effects of the tsunami and
the other events the quake set off as well: they are taken when given.

A row's reference is ``ncei:`` and the database's ``Id`` when the export has that column;
this one does not, so a row is keyed by its origin time (as far as given) and epicentre
(``ncei:2000-11-25T18:09:11.4@40.245,49.946``), the same in every export of the database.
The export's first line under the header, the search's parameters, is no quake and is passed.
The intake keeps events from 1900 on: older rows, and rows without a day, are rejected with
their reason; a row without the time of day is taken at midnight UTC and says so.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from qalxan.alerts.catalogue_fields import Record, coordinate, number, text, whole
from qalxan.alerts.catalogue_quake import Epicentre, Grade, Quake
from qalxan.errors import InvalidInput
from qalxan.intake.draft import EARLIEST

SOURCE = "NOAA NCEI"
# The World Data Service for Geophysics is the authoritative compilation of damaging quakes:
# A, completely reliable. Its entries are compiled from catalogues and published accounts, and
# the effects are estimates that later sources revise: 2, probably true.
GRADE = Grade("A", 2)
COLUMNS = frozenset({"Year", "Mo", "Dy", "Location Name", "Latitude", "Longitude", "Mag"})
# The description codes of deaths, missing, injuries and houses, with the least each means.
PEOPLE = {1: ("few", 1, "1 to 50"), 2: ("some", 51, "51 to 100"), 3: ("many", 101, "101 to 1,000")}
PEOPLE[4] = ("very many", 1001, "over 1,000")
DAMAGE = {
    1: "limited (under about $1 million)",
    2: "moderate (about $1 to $5 million)",
    3: "severe (about $5 to $24 million)",
    4: "extreme (about $25 million or more)",
}


def recognises(header: Collection[str]) -> bool:
    return set(header) >= COLUMNS


def epicentre(record: Record) -> Epicentre | None:
    """Where the row's quake was (None for the search's parameters)."""
    if text(record, "Year") is None and text(record, "Search Parameters") is not None:
        return None
    return Epicentre(
        coordinate(record, "Latitude", 90.0),
        coordinate(record, "Longitude", 180.0),
        number(record, "Mag"),
    )


def quake(record: Record) -> Quake | None:
    """The quake of one row (None for the search's parameters); InvalidInput names the first
    bad column."""
    where = epicentre(record)
    if where is None:
        return None
    at, parts, time_known = _origin(record)
    lat, lon = where.lat, where.lon
    event = text(record, "Id")
    effects: list[str] = []
    killed = _people(record, ("Deaths", "Death Description"), "killed", effects)
    missing = _people(record, ("Missing", "Missing Description"), "missing", effects)
    injured = _people(record, ("Injuries", "Injuries Description"), "injured", effects)
    damage = _damage(record)
    if damage:
        effects.append(damage)
    if text(record, "Tsu"):
        effects.append("it set off a tsunami")
    return Quake(
        ref=f"ncei:{event}" if event else f"ncei:{parts}@{lat:.3f},{lon:.3f}",
        event=event,
        source=SOURCE,
        grade=GRADE,
        at=at,
        lat=lat,
        lon=lon,
        magnitude=where.magnitude,
        depth_km=number(record, "Focal Depth (km)"),
        place=_place(text(record, "Location Name")),
        time_known=time_known,
        killed=killed,
        injured=injured,
        missing=missing,
        effects=tuple(effects),
        damage=damage,
    )


def _origin(record: Record) -> tuple[datetime, str, bool]:
    """The origin time (UTC; midnight when the hour is not given), the parts given as text,
    and whether the time of day is known."""
    year = _part(record, "Year", None)
    if year is None:
        raise InvalidInput("Year: missing", "Year")
    if year < EARLIEST.year:
        told = f"{-year} BC" if year < 0 else str(year)  # NCEI writes 2150 BC as -2150
        raise InvalidInput(
            f"Year: {told} is before {EARLIEST.year}, the earliest the intake keeps", "Year"
        )
    month = _part(record, "Mo", "the intake needs the month of the quake")
    day = _part(record, "Dy", "the intake needs the day of the quake")
    hour, minute = _part(record, "Hr", None), _part(record, "Mn", None)
    second = number(record, "Sec")
    try:
        at = datetime(year, month or 0, day or 0, tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput(f"Dy: {year}-{month}-{day} is not a date ({exc})", "Dy") from None
    parts = f"{at:%Y-%m-%d}"
    if hour is None:
        return at, parts, False
    if not (0 <= hour < 24 and 0 <= (minute or 0) < 60 and 0 <= (second or 0) < 61):
        raise InvalidInput(f"Hr: {hour}:{minute}:{second} is not a time of day", "Hr")
    at += timedelta(hours=hour, minutes=minute or 0, seconds=second or 0)
    parts += f"T{hour:02d}:{minute or 0:02d}"
    if second is not None:
        parts += f":{second:04.1f}"
    return at, parts, True


def _part(record: Record, name: str, required: str | None) -> int | None:
    found = whole(record, name)
    if found is None and required is not None:
        raise InvalidInput(f"{name}: missing ({required})", name)
    return found


def _people(record: Record, columns: tuple[str, str], word: str, effects: list[str]) -> int:
    """The number of people (the total when given), or the least its description code
    means; said in ``effects``."""
    column, description = columns
    count = whole(record, f"Total {column}")
    count = whole(record, column) if count is None else count
    if count is not None:
        if count > 0:
            effects.append(f"{count:,} {word}")
        return max(0, count)
    code = whole(record, f"Total {description}")
    code = whole(record, description) if code is None else code
    if code not in PEOPLE:
        return 0
    name, least, span = PEOPLE[code]
    effects.append(f"at least {least:,} {word} (NCEI: {name}, {span})")
    return least


def _damage(record: Record) -> str | None:
    """The damage as NCEI gives it: millions of US dollars, its description, houses."""
    said = []
    dollars = number(record, "Total Damage ($Mil)")
    dollars = number(record, "Damage ($Mil)") if dollars is None else dollars
    code = whole(record, "Total Damage Description") or whole(record, "Damage Description")
    if dollars is not None:
        said.append(f"damage ${dollars:,g} million")
    elif code in DAMAGE:
        said.append(f"damage {DAMAGE[code]}")
    for kind in ("Destroyed", "Damaged"):
        houses = whole(record, f"Total Houses {kind}") or whole(record, f"Houses {kind}")
        if houses:
            said.append(f"{houses:,} houses {kind.lower()}")
    return "; ".join(said) or None


def _place(name: str | None) -> str | None:
    """``AZERBAIJAN:  BAKU`` as ``Azerbaijan: Baku``."""
    if name is None:
        return None
    return name.title()
