"""Labelled reports to train and evaluate on: CSV, JSON Lines, or an ACLED export.

- CSV with a header naming ``text`` and ``event_type`` (and optionally ``id``);
- JSON Lines, one object a line with the keys ``text`` and ``event_type`` (optionally ``id``);
- an ACLED export (CSV whose header names ``notes`` and ``sub_event_type``): the text is the
  notes without ACLED's trailing ``[size=...]`` tag, the type is the one that is the row's
  sub-event type, the key its ``event_id_cnty``.

``event_type`` is a taxonomy code or an ACLED sub-event type name ("Armed clash"), which maps
to its type. A file that breaks these rules raises :class:`~qalxan.errors.InvalidInput` naming
the line and the reason.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qalxan.errors import InvalidInput
from qalxan.intake.taxonomy import taxonomy

_SIZE_TAG = re.compile(r"\s*\[size=[^\]]*\]\s*$", re.IGNORECASE)
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Example:
    """One labelled report. ``key`` identifies it in its source (the text when none is given)."""

    text: str
    event_type: str
    key: str
    line: int = 0


def strip_acled_tags(notes: str) -> str:
    """ACLED notes without the trailing ``[size=...]`` tag ACLED adds to protests and riots."""
    return _SIZE_TAG.sub("", notes).strip()


def label_code(value: str) -> str | None:
    """The taxonomy code ``value`` names (a code, or an ACLED sub-event type name), or None."""
    types = taxonomy()
    value = value.strip()
    if value in types.by_code:
        return value
    acled = types.by_acled_sub_event.get(value)
    if acled is None:
        lowered = {name.lower(): t for name, t in types.by_acled_sub_event.items()}
        acled = lowered.get(value.lower())
    return acled.code if acled else None


def read_labelled(path: Path) -> list[Example]:
    """The examples in ``path`` (see the module docstring for the formats)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            head = handle.read(1).lstrip()
            handle.seek(0)
            jsonl = path.suffix.lower() in (".jsonl", ".ndjson") or head == "{"
            examples = list(_jsonl(path, handle) if jsonl else _csv(path, handle))
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: not UTF-8 text ({exc.reason})", "file") from exc
    except OSError as exc:
        raise InvalidInput(f"{path.name}: cannot be read ({exc.strerror})", "file") from exc
    if not examples:
        raise InvalidInput(f"{path.name}: no labelled reports", "file")
    return examples


def _fail(path: Path, line: int, reason: str, field: str = "file") -> InvalidInput:
    return InvalidInput(f"{path.name}, line {line}: {reason}", field)


def _example(path: Path, line: int, text: Any, label: Any, key: Any) -> Example:
    if not isinstance(text, str) or not text.strip():
        raise _fail(path, line, "the text is empty", "text")
    if len(text) > MAX_TEXT:
        raise _fail(path, line, f"the text is longer than {MAX_TEXT} characters", "text")
    if not isinstance(label, str) or not label.strip():
        raise _fail(path, line, "the event type is empty", "event_type")
    code = label_code(label)
    if code is None:
        raise _fail(path, line, f"unknown event type {label!r}", "event_type")
    key_text = str(key).strip() if key not in (None, "") else text.strip()
    return Example(text.strip(), code, key_text, line)


def _csv(path: Path, handle: Any) -> Iterator[Example]:
    reader = csv.DictReader(handle)
    header = reader.fieldnames or []
    acled = "notes" in header and "sub_event_type" in header
    if not acled:
        missing = [name for name in ("text", "event_type") if name not in header]
        if missing:
            raise _fail(path, 1, f"the header has no column {', '.join(missing)}")
    line = reader.line_num
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if None in row:
                raise _fail(path, start, "more fields than the header names")
            yield _row(path, start, row, acled)
    except csv.Error as exc:
        raise _fail(path, reader.line_num, f"not valid CSV ({exc})") from exc


def _row(path: Path, line: int, row: Mapping[str, str | None], acled: bool) -> Example:
    if acled:
        notes = strip_acled_tags(row.get("notes") or "")
        return _example(path, line, notes, row.get("sub_event_type"), row.get("event_id_cnty"))
    return _example(path, line, row.get("text"), row.get("event_type"), row.get("id"))


def _jsonl(path: Path, handle: Any) -> Iterator[Example]:
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _fail(path, number, f"not valid JSON ({exc.msg})") from exc
        if not isinstance(item, dict):
            raise _fail(path, number, "not a JSON object")
        yield _example(path, number, item.get("text"), item.get("event_type"), item.get("id"))
