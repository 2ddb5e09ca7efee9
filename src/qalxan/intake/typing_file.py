"""``qalxan reports classify``: type and place texts without storing anything.

Input lines ``{"id", "text", "date"?, "country"?}``; output lines ``{"id", "event_type",
"acled_event_type", "event_type_scores", "threats", "location", "explanation"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from qalxan.errors import InvalidInput
from qalxan.geo.resolve import resolve_text
from qalxan.intake.classify import Classifier
from qalxan.intake.taxonomy import taxonomy

BATCH = 1000


def classify_lines(lines: Iterable[str], classifier: Classifier) -> Iterator[dict[str, Any]]:
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    while batch := list(islice(numbered, BATCH)):
        records = [_record(n, line) for n, line in batch]
        typings = classifier.classify_many([r["text"] for r in records])
        for record, typing in zip(records, typings, strict=True):
            yield _answer(record, typing)


def _record(number: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"line {number}: not JSON ({exc.msg})", "file") from exc
    if not isinstance(record, dict) or "id" not in record:
        raise InvalidInput(f"line {number}: needs an object with an id", "id")
    if not isinstance(record.get("text"), str):
        raise InvalidInput(f"line {number}: text: missing or not a string", "text")
    country = record.get("country")
    if country is not None and not (isinstance(country, str) and len(country) == 2):
        raise InvalidInput(f"line {number}: country: an ISO 3166-1 alpha-2 code", "country")
    return record


def _answer(record: dict[str, Any], typing: Any) -> dict[str, Any]:
    kind = taxonomy().by_code[typing.event_type]
    country = record.get("country")
    found = resolve_text(record["text"], country.upper() if country else None)
    location = (
        {
            "name": found.name,
            "country": found.country,
            "admin1": found.admin1,
            "lat": found.lat,
            "lon": found.lon,
        }
        if found
        else None
    )
    explanation = typing.explanation
    if found is not None:
        explanation = f"{explanation} Place: {found.explanation}"
    if kind.public_event:
        explanation = f"{explanation} {kind.note or ''}".strip()
    return {
        "id": record["id"],
        "event_type": typing.event_type,
        "acled_event_type": typing.acled_event_type,
        "event_type_scores": [[code, round(score, 4)] for code, score in typing.scores[:5]],
        "threats": list(kind.bears_on),
        "location": location,
        "explanation": explanation,
    }
