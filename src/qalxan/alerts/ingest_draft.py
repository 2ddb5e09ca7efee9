"""What a received alert becomes: an intake report of a hazard in Azerbaijan, or nothing more
than a received alert, and why.

In order: only an ``Actual`` ``Alert`` or ``Update`` can be an incident (a Cancel, Ack or Error
refers to other messages; a Test, Exercise, System or Draft message is not a real event); one
of its info blocks must be a hazard the platform watches (:mod:`qalxan.alerts.ingest_hazards`,
info blocks in az, ru or en first); its area must touch Azerbaijan
(:mod:`qalxan.alerts.ingest_area`).

The report is in the language of the info block, typed with the hazard's event type, placed in
the country, graded as an official warning authority's message (see ``data/hazards.yaml``) and
marked for anyone (unclassified, TLP CLEAR; TLP AMBER for a Restricted or Private alert, which
its sender did not make public). Its reference, ``cap:<sender>:<identifier>``, is the alert's
own CAP key, so a second ingest of the alert stores no second report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qalxan.alerts.ingest_area import COUNTRY, Placed, place_in_country
from qalxan.alerts.ingest_hazards import Match, load_hazards
from qalxan.alerts.model import Alert, Info
from qalxan.intake.draft import LANGUAGES, MAX_NARRATIVE, MAX_PLACE, MAX_SOURCE, MAX_TITLE, Draft

HAZARD, OUTSIDE, NOT_HAZARD, NOT_ACTUAL = "hazard", "outside", "not-hazard", "not-actual"
INCIDENT_TYPES = ("Alert", "Update")
MAX_REF = 120  # the intake's reference column


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str
    draft: Draft | None = None


def verdict(alert: Alert) -> Verdict:
    """Whether ``alert`` becomes a hazard report, with the draft when it does."""
    if alert.status != "Actual" or alert.msg_type not in INCIDENT_TYPES:
        return Verdict(NOT_ACTUAL, f"{alert.status} {alert.msg_type}: no incident")
    found = _hazard(alert)
    if found is None:
        events = ", ".join(dict.fromkeys(i.event for i in alert.infos)) or "no info"
        return Verdict(NOT_HAZARD, f"not a hazard the platform watches ({events})")
    info, match = found
    placed = place_in_country(alert.infos)
    if placed is None:
        return Verdict(OUTSIDE, f"{match.event_type}: the area does not touch Azerbaijan")
    return Verdict(HAZARD, f"{match.event_type}: {placed.how}", draft(alert, info, match, placed))


def cap_ref(alert: Alert) -> str:
    """The intake reference of an alert: ``cap:<sender>:<identifier>``, or a digest of the
    two when that is longer than the intake keeps."""
    ref = f"cap:{alert.sender}:{alert.identifier}"
    if len(ref) <= MAX_REF:
        return ref
    digest = hashlib.sha256(f"{alert.sender}\n{alert.identifier}".encode()).hexdigest()
    return f"cap:sha256:{digest[:40]}"


def draft(alert: Alert, info: Info, match: Match, placed: Placed) -> Draft:
    hazards = load_hazards()
    language = info.lang.split("-", 1)[0].lower()
    areas = "; ".join(dict.fromkeys(area.desc for area in info.areas if area.desc.strip()))
    source = f"{info.sender_name} ({alert.sender})" if info.sender_name else alert.sender
    return Draft(
        narrative=_narrative(alert, info, match, areas)[:MAX_NARRATIVE],
        observed_at=alert.sent,
        title=(info.headline or (f"{info.event}: {areas}" if areas else info.event))[:MAX_TITLE],
        event_type=match.event_type,
        language=language if language in LANGUAGES else None,
        place_text=areas[:MAX_PLACE] or None,
        lat=placed.lat,
        lon=placed.lon,
        admin1=placed.admin1,
        country=COUNTRY,
        source=source[:MAX_SOURCE],
        source_reliability=hazards.reliability,
        info_credibility=hazards.credibility[info.certainty],
        classification="unclassified",
        tlp="CLEAR" if alert.scope == "Public" else "AMBER",
        origin_ref=cap_ref(alert),
    )


def _hazard(alert: Alert) -> tuple[Info, Match] | None:
    hazards = load_hazards()
    for info in sorted(alert.infos, key=_preference):
        match = hazards.match(info)
        if match is not None:
            return info, match
    return None


def _preference(info: Info) -> int:
    language = info.lang.split("-", 1)[0].lower()
    return LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)


def _narrative(alert: Alert, info: Info, match: Match, areas: str) -> str:
    parts = [text.strip() for text in (info.headline, info.description) if text and text.strip()]
    if info.instruction and info.instruction.strip():
        parts.append(f"Instruction: {info.instruction.strip()}")
    if areas:
        parts.append(f"Area: {areas}.")
    sent = alert.sent.isoformat()
    parts.append(
        f"CAP {alert.msg_type} {alert.identifier} from {alert.sender}, sent {sent}: "
        f"{info.event} ({info.severity}, {info.urgency}, {info.certainty}). Typed "
        f"{match.event_type}: category {match.category}, {match.evidence}."
    )
    return "\n\n".join(parts)
