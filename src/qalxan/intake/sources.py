"""Reading report files: CSV and JSON lines with the API's field names, and ACLED exports.

Each row becomes a :class:`~qalxan.intake.draft.Draft` with a stable reference (the row's own id,
or a hash of its content when it has none), which is what makes a re-run store nothing twice.
Errors name the line and the field.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from qalxan.errors import InvalidInput
from qalxan.intake.classify import strip_acled_tags
from qalxan.intake.draft import Draft, InvolvedObject
from qalxan.intake.taxonomy import taxonomy

FORMATS = ("csv", "jsonl", "acled")
TEXT_FIELDS = ("narrative", "text", "notes")
INT_FIELDS = ("killed", "injured", "missing", "info_credibility")
FLOAT_FIELDS = ("lat", "lon")
PLAIN_FIELDS = (
    "title",
    "event_type",
    "language",
    "place_text",
    "admin1",
    "country",
    "source",
    "source_reliability",
    "damage",
    "classification",
    "tlp",
)


@dataclass(frozen=True)
class Row:
    line: int
    draft: Draft


@dataclass(frozen=True)
class Unreadable:
    """A line that could not be read as a report (not JSON, a date that is none, ...): its
    number, why, and the field. The lines after it are read on: a check lists them all, and an
    import that skips bad lines skips this one too."""

    line: int
    problem: str
    field: str | None = None


Read = Row | Unreadable


def detect(path: Path) -> str:
    """The format of a file: ACLED by its header, otherwise by its name."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    with _readable(path), path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    return "acled" if {"event_id_cnty", "notes", "sub_event_type"} <= set(header) else "csv"


def read(path: Path, fmt: str | None = None) -> Iterator[Read]:
    """The rows of a report file, in order, each read as a report or :class:`Unreadable`
    (InvalidInput only for a file that cannot be read at all)."""
    kind = fmt or detect(path)
    if kind not in FORMATS:
        raise InvalidInput(f"format: one of {', '.join(FORMATS)}", "format")
    with _readable(path):
        if kind == "jsonl":
            yield from _jsonl(path)
            return
        parse = _acled if kind == "acled" else _plain
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for index, record in enumerate(csv.DictReader(handle), start=2):
                yield _at_line(index, parse, record)


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    """A file that is no UTF-8 text, or no CSV, refused with the reason (not a traceback)."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: not UTF-8 text ({exc.reason})", "file") from exc
    except csv.Error as exc:
        raise InvalidInput(f"{path.name}: not CSV ({exc})", "file") from exc


def count(path: Path, fmt: str | None = None) -> int:
    """About how many rows :func:`read` yields (for a progress bar): the file's records,
    counted without reading them as reports."""
    kind = fmt or detect(path)
    with _readable(path):
        if kind == "jsonl":
            with path.open(encoding="utf-8") as handle:
                return sum(1 for line in handle if line.strip())
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def _jsonl(path: Path) -> Iterator[Read]:
    with path.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Unreadable(index, f"not JSON ({exc.msg})", "file")
                continue
            if not isinstance(record, dict):
                yield Unreadable(index, "not a JSON object", "file")
                continue
            yield _at_line(index, _plain, record)


def _at_line(line: int, parse: Any, record: dict[str, Any]) -> Read:
    try:
        draft: Draft = parse(record)
    except InvalidInput as exc:
        return Unreadable(line, exc.message, exc.field)
    return Row(line, draft)


def _plain(record: dict[str, Any]) -> Draft:
    text = next((record[k] for k in TEXT_FIELDS if record.get(k)), None)
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("narrative: missing (a narrative, text or notes field)", "narrative")
    values: dict[str, Any] = {"narrative": text}
    when = record.get("observed_at") or record.get("date")
    if not when:
        raise InvalidInput("observed_at: missing (an observed_at or date field)", "observed_at")
    values["observed_at"] = _time(str(when), "observed_at")
    if record.get("reported_at"):
        values["reported_at"] = _time(str(record["reported_at"]), "reported_at")
    for name in PLAIN_FIELDS:
        if record.get(name) not in (None, ""):
            values[name] = str(record[name])
    for name in INT_FIELDS:
        if record.get(name) not in (None, ""):
            values[name] = _int(record[name], name)
    for name in FLOAT_FIELDS:
        if record.get(name) not in (None, ""):
            values[name] = _float(record[name], name)
    objects = record.get("objects")
    if isinstance(objects, list):
        values["objects"] = tuple(
            InvolvedObject(**{k: v for k, v in o.items() if k in InvolvedObject.__annotations__})
            for o in objects
            if isinstance(o, dict)
        )
    ref = record.get("id") or record.get("origin_ref")
    values["origin_ref"] = str(ref) if ref else _content_ref(record)
    return Draft(**values)


def _acled(record: dict[str, str]) -> Draft:
    sub = record.get("sub_event_type", "")
    kind = taxonomy().by_acled_sub_event.get(sub)
    if kind is None:
        raise InvalidInput(f"sub_event_type: {sub!r} is not an ACLED sub-event type", "event_type")
    country = None
    if record.get("iso"):
        found = pycountry.countries.get(numeric=f"{int(float(record['iso'])):03d}")
        country = found.alpha_2 if found else None
    return Draft(
        narrative=strip_acled_tags(record.get("notes") or "") or kind.name.en,
        observed_at=_time(record.get("event_date", ""), "event_date"),
        event_type=kind.code,
        place_text=record.get("location") or None,
        lat=_float(record["latitude"], "latitude") if record.get("latitude") else None,
        lon=_float(record["longitude"], "longitude") if record.get("longitude") else None,
        country=country,
        killed=_int(record.get("fatalities") or 0, "fatalities"),
        source=(record.get("source") or "")[:300] or None,
        classification="unclassified",
        tlp="CLEAR",
        origin_ref=record.get("event_id_cnty") or _content_ref(record),
    )


@lru_cache(maxsize=4096)
def _time(value: str, name: str) -> datetime:
    # Cached: the rows of a file share a few dates, and strptime is slow.
    text = value.strip()
    try:
        if len(text) == 10:  # a date: taken as midnight UTC
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"{name}: {value!r} is not an ISO 8601 date or time", name) from exc
    if at.tzinfo is None:
        raise InvalidInput(f"{name}: needs a UTC offset", name)
    return at


def _int(value: Any, name: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name}: {value!r} is not a number", name) from None
    if not number.is_integer():
        raise InvalidInput(f"{name}: {value!r} is not a whole number", name)
    return int(number)


def _float(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name}: {value!r} is not a number", name) from None


def _content_ref(record: dict[str, Any]) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
