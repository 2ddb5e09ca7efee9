"""Is a new report about an incident the platform already has? Scores a report against candidate
incidents on time, place, type and wording, and says why.

The decision is explainable and reversible: the reason is stored with the report's membership,
and an analyst can split a wrongly joined report off or merge two incidents by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from qalxan.geo.measure import distance_km
from qalxan.intake.taxonomy import taxonomy
from qalxan.lang.fold import fold, tokens

WEIGHTS = {"time": 0.25, "place": 0.3, "type": 0.2, "text": 0.25}
FINGERPRINT_WORDS = 60
MIN_WORD = 3


@dataclass(frozen=True)
class Rules:
    window_hours: float = 48.0
    radius_km: float = 25.0
    threshold: float = 0.62


@dataclass(frozen=True)
class Sighting:
    """What dedup compares: a new report, or an incident as it stands."""

    event_type: str
    first: datetime
    last: datetime
    lat: float | None
    lon: float | None
    admin1: str | None
    country: str | None
    words: frozenset[str]


@dataclass(frozen=True)
class Match:
    score: float
    reason: dict[str, Any]


def compare(report: Sighting, incident: Sighting, rules: Rules) -> Match | None:
    """The match of a report with an incident, or None when they cannot be the same event
    (another kind of event, too far apart in time or space)."""
    found = _scored(report, incident, rules)
    return None if found is None else _match(found, rules)


def best(
    report: Sighting, incidents: dict[str, Sighting], rules: Rules
) -> tuple[str, Match] | None:
    """The best incident for the report at or above the threshold, if any."""
    found: tuple[str, _Scored] | None = None
    # Scored first, explained for the best one only: a report is compared with a few
    # incidents, and the explanation cost more than the score.
    for incident_id, incident in incidents.items():
        scored = _scored(report, incident, rules)
        if scored is None or scored.score < rules.threshold:
            continue
        if found is None or scored.score > found[1].score:
            found = (incident_id, scored)
    if found is None:
        return None
    match = _match(found[1], rules)
    match.reason["incident"] = found[0]
    return found[0], match


# The parts of a score, in the order of :data:`WEIGHTS`.
PARTS = tuple(WEIGHTS)
_WEIGHTED = tuple(WEIGHTS.values())


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    parts: tuple[float, float, float, float]
    hours: float
    place_reason: str
    same_type: bool
    text: float


def _scored(report: Sighting, incident: Sighting, rules: Rules) -> _Scored | None:
    kinds = taxonomy().by_code
    same_type = report.event_type == incident.event_type
    if not same_type and kinds[report.event_type].category != kinds[incident.event_type].category:
        return None
    hours = _gap_hours(report, incident)
    if hours > rules.window_hours:
        return None
    place, place_reason = _place(report, incident, rules)
    if place is None:
        return None
    text = _jaccard(report.words, incident.words)
    parts = (
        1.0 - hours / rules.window_hours,
        place,
        1.0 if same_type else 0.5,
        min(1.0, text * 2.5),
    )
    # Added in order as ``sum`` over them would: a plain tuple, not a dict per incident
    # compared (the explanation, built for the incident joined only, names them).
    time_w, place_w, type_w, text_w = _WEIGHTED
    score = round(time_w * parts[0] + place_w * parts[1] + type_w * parts[2] + text_w * parts[3], 3)
    return _Scored(score, parts, hours, place_reason, same_type, text)


def _match(scored: _Scored, rules: Rules) -> Match:
    reason = {
        "score": scored.score,
        "threshold": rules.threshold,
        "hours_apart": round(scored.hours, 1),
        "place": scored.place_reason,
        "type": "same type" if scored.same_type else "same category",
        "shared_words": round(scored.text, 2),
        "parts": {k: round(v, 2) for k, v in zip(PARTS, scored.parts, strict=True)},
    }
    return Match(scored.score, reason)


def words(text: str) -> frozenset[str]:
    """The distinctive words of a narrative (folded, at least three letters), at most
    ``FINGERPRINT_WORDS`` of them: enough to compare two accounts of one event."""
    return _words(text[:2000])


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    folded = fold(text)
    if _DOTTED.search(folded) is None:
        # No section code ("3.4") to keep whole: the tokens of three letters or more are the
        # runs of word characters that long, found in one pass (a third of the cost of
        # finding every token and dropping the short ones, in every report stored).
        kept = [t for t in _LONG_WORD.findall(folded) if not t.isdigit()]
    else:
        kept = [t for t in tokens(text) if len(t) >= MIN_WORD and not t.isdigit()]
    # The first distinct ones, in order of appearance.
    return frozenset(islice(dict.fromkeys(kept), FINGERPRINT_WORDS))


# What :func:`qalxan.lang.fold.tokens` keeps whole beyond runs of word characters.
_DOTTED = re.compile(r"\d\.\d")
_LONG_WORD = re.compile(rf"[^\W_]{{{MIN_WORD},}}")


def _gap_hours(a: Sighting, b: Sighting) -> float:
    if a.last < b.first:
        return (b.first - a.last).total_seconds() / 3600
    if b.last < a.first:
        return (a.first - b.last).total_seconds() / 3600
    return 0.0


def _place(a: Sighting, b: Sighting, rules: Rules) -> tuple[float | None, str]:
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        km = distance_km((a.lat, a.lon), (b.lat, b.lon))
        if km > rules.radius_km:
            return None, f"{km:.1f} km apart"
        return 1.0 - km / rules.radius_km, f"{km:.1f} km apart"
    if a.admin1 and b.admin1:
        return (0.6, "same district") if a.admin1 == b.admin1 else (None, "other district")
    if a.country and b.country and a.country != b.country:
        return None, "other country"
    return 0.3, "place unknown for one of them"


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
