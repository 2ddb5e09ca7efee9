"""Is a new report about an incident the platform already has? Scores a report against candidate
incidents on time, place, type and wording, and says why.

The decision is explainable and reversible: the reason is stored with the report's membership,
and an analyst can split a wrongly joined report off or merge two incidents by hand.
"""

from __future__ import annotations

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
    parts = {
        "time": 1.0 - hours / rules.window_hours,
        "place": place,
        "type": 1.0 if same_type else 0.5,
        "text": min(1.0, text * 2.5),
    }
    score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 3)
    reason = {
        "score": score,
        "threshold": rules.threshold,
        "hours_apart": round(hours, 1),
        "place": place_reason,
        "type": "same type" if same_type else "same category",
        "shared_words": round(text, 2),
        "parts": {k: round(v, 2) for k, v in parts.items()},
    }
    return Match(score, reason)


def best(
    report: Sighting, incidents: dict[str, Sighting], rules: Rules
) -> tuple[str, Match] | None:
    """The best incident for the report at or above the threshold, if any."""
    found: tuple[str, Match] | None = None
    for incident_id, incident in incidents.items():
        match = compare(report, incident, rules)
        if match is None or match.score < rules.threshold:
            continue
        if found is None or match.score > found[1].score:
            found = (incident_id, match)
    if found is not None:
        found[1].reason["incident"] = found[0]
    return found


def words(text: str) -> frozenset[str]:
    """The distinctive words of a narrative (folded, at least three letters), at most
    ``FINGERPRINT_WORDS`` of them: enough to compare two accounts of one event."""
    return _words(text[:2000])


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    kept = [t for t in tokens(fold(text)) if len(t) >= MIN_WORD and not t.isdigit()]
    # The first distinct ones, in order of appearance.
    return frozenset(islice(dict.fromkeys(kept), FINGERPRINT_WORDS))


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
