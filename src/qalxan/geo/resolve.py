"""Placing a free text: the best place mention, with what matched and why it won.

Within a mention, each reading (an Azerbaijani unit or town, a town abroad, a region, a
country) scores its prior (Azerbaijani entries first, towns abroad by population) times the
quality of the match, plus the words around it ("rayonu", "район", "district" favour the
district; "şəhəri", "город", "city" the town), plus the caller's country hint, plus support from
the other mentions in proportion to how likely they are, read alone, to lie in the same country
or unit ("Barranquilla (Atlantico)" puts both in Colombia).

Across mentions the most specific wins (a town before a district before a country), then the
better supported, then the one the text says something happened in ("in", "в", "-da"), then
the earlier. A name glued to other capitalised words ("Boko Haram", "Vladimir Putin") counts for
less, and so does a place outside a district that the text names as such ("Tovuz rayonunun
Ağdam kəndi" is a village in Tovuz, not the town of Ağdam).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qalxan.geo.index import Target, load_index
from qalxan.geo.mentions import Mention, Reading, Words, find_mentions
from qalxan.geo.model import Location, Precision
from qalxan.geo.world import load_world

CUE_DISTRICT = 2.5
CUE_CITY = 1.0
CUE_REPUBLIC = 3.0
HINT_MATCH = 3.0
HINT_MISMATCH = -3.0
# Other mentions vouch for a reading by how likely they are, read alone, to be in the same
# country (or Azerbaijani unit): "Barranquilla (Atlantico)" puts both in Colombia.
SAME_COUNTRY = 1.5
SAME_UNIT = 1.0
MAX_SUPPORT = 2.0
DEMONYM_SHARE = 0.5  # "Russian forces" says less about where than "in Russia"
IN_PHRASE = 1.5
CONFLICT = 3.0
FOCUS = 2.0  # weight of the text's focus country when choosing between mentions
SPECIFICITY = 1.5
LOCATIVE = 0.8
AMBIGUOUS = 1.0
NEAR_TIE = 0.75
POSITION = 0.3
SCORE_WEIGHT = 0.5

_SPECIFICITY = {"place": 2, "town": 2, "unit": 1, "region": 1, "country": 0, "demonym": -1}


@dataclass(frozen=True, slots=True)
class _Scored:
    mention: Mention
    reading: Reading
    score: float
    rivals: tuple[Reading, ...]  # near-tied readings that would place it elsewhere
    value: float  # the mention's standing against the other mentions
    focus: float  # its country's share of the text's country evidence


def resolve_text(text: str, country_hint: str | None = None) -> Location | None:
    """The most likely location of the event ``text`` describes, or ``None`` if it names none.

    ``country_hint`` (ISO 3166-1 alpha-2) favours places in that country; when the text names
    no place at all, the hint's country is returned with precision ``country``.
    """
    index = load_index()
    hint = country_hint.upper() if country_hint else None
    mentions = find_mentions(Words(text), index)
    scored = _score(mentions, hint)
    if not scored:
        return _from_hint(hint) if hint else None
    best = max(scored, key=lambda s: s.value)
    return _location(best, scored, hint)


def _score(mentions: list[Mention], hint: str | None) -> list[_Scored]:
    beliefs = [_belief(m) for m in mentions]
    focus = _focus(mentions, beliefs)
    # districts the text names as such ("Tovuz rayonu"): a place in another district is then
    # more likely an unlisted namesake in the named one than the place we know
    districts = {
        r.target.admin1
        for m in mentions
        if "district" in m.cues
        for r in m.readings
        if r.target.unit_kind == "district"
    }
    scored = []
    for position, mention in enumerate(mentions):
        others = [b for i, b in enumerate(beliefs) if i != position]
        ranked = sorted(
            ((_reading_score(r, mention, others, hint), r) for r in mention.readings),
            key=lambda pair: (-pair[0], pair[1].target.kind, pair[1].target.ref),
        )
        score, reading = ranked[0]
        target = reading.target
        rivals = tuple(
            r
            for s, r in ranked[1:]
            if score - s <= NEAR_TIE and _elsewhere(r.target, reading.target)
        )
        conflict = bool(districts) and target.country == "AZ" and target.admin1 not in districts
        value = (
            SCORE_WEIGHT * (score - _cue_bonus(target, mention))
            + SPECIFICITY * _SPECIFICITY[target.kind]
            - (CONFLICT if conflict and target.unit_kind != "autonomous republic" else 0.0)
            + (LOCATIVE if "locative" in mention.cues else 0.0)
            - (IN_PHRASE if "in phrase" in mention.cues else 0.0)
            - (AMBIGUOUS if rivals else 0.0)
            - POSITION * position
            + FOCUS * focus.get(target.country, 0.0)
        )
        if target.kind == "region" and not target.located:
            value -= SPECIFICITY  # placed only at its country's capital
        share = focus.get(target.country, 0.0)
        scored.append(_Scored(mention, reading, score, rivals, value, share))
    return scored


@dataclass(frozen=True, slots=True)
class _Belief:
    """Where a mention, read alone, places the text: probabilities by country and unit."""

    countries: dict[str, float]
    units: dict[str, float]


def _belief(mention: Mention) -> _Belief:
    weights = [math.exp(r.target.prior * r.quality) for r in mention.readings]
    total = sum(weights)
    countries: dict[str, float] = {}
    units: dict[str, float] = {}
    for reading, weight in zip(mention.readings, weights, strict=True):
        share = weight / total
        if reading.target.kind == "demonym":
            share *= DEMONYM_SHARE
        country = reading.target.country
        countries[country] = countries.get(country, 0.0) + share
        if reading.target.admin1:
            units[reading.target.admin1] = units.get(reading.target.admin1, 0.0) + share
    return _Belief(countries, units)


def _cue_bonus(target: Target, mention: Mention) -> float:
    """What the words around a name add to one reading: they choose among a mention's readings
    (district or town), not between mentions."""
    bonus = 0.0
    if "district" in mention.cues and target.unit_kind == "district":
        bonus += CUE_DISTRICT
    if "republic" in mention.cues and target.unit_kind == "autonomous republic":
        bonus += CUE_REPUBLIC
    if "city" in mention.cues and (target.kind in ("place", "town") or target.unit_kind == "city"):
        bonus += CUE_CITY
    return bonus


def _focus(mentions: list[Mention], beliefs: list[_Belief]) -> dict[str, float]:
    """The text's focus country: each mention's belief, weighted by its strongest reading."""
    evidence: dict[str, float] = {}
    for mention, belief in zip(mentions, beliefs, strict=True):
        weight = max(r.target.prior * r.quality for r in mention.readings)
        for country, share in belief.countries.items():
            evidence[country] = evidence.get(country, 0.0) + weight * share
    total = sum(evidence.values()) or 1.0
    return {country: value / total for country, value in evidence.items()}


def _reading_score(
    reading: Reading, mention: Mention, others: list[_Belief], hint: str | None
) -> float:
    target = reading.target
    score = target.prior * reading.quality + _cue_bonus(target, mention)
    if hint:
        score += HINT_MATCH if target.country == hint else HINT_MISMATCH
    country = sum(other.countries.get(target.country, 0.0) for other in others)
    score += SAME_COUNTRY * min(country, MAX_SUPPORT)
    if target.admin1:
        unit = sum(other.units.get(target.admin1, 0.0) for other in others)
        score += SAME_UNIT * min(unit, MAX_SUPPORT)
    return score


def _elsewhere(a: Target, b: Target) -> bool:
    """Whether two readings put the event in different places (not just named differently)."""
    if a.country != b.country:
        return True
    if a.country == "AZ":
        return a.admin1 != b.admin1 and not (
            a.unit_kind == "autonomous republic" or b.unit_kind == "autonomous republic"
        )
    return a.kind in ("town", "region") and b.kind in ("town", "region") and a.ref != b.ref


def _location(best: _Scored, scored: list[_Scored], hint: str | None) -> Location:
    target = best.reading.target
    precision: Precision = {
        "place": "place",
        "town": "place",
        "unit": "district",
        "region": "district" if target.located else "country",
        "country": "country",
        "demonym": "country",
    }[target.kind]
    return Location(
        name=target.name,
        country=target.country,
        admin1=target.admin1,
        lat=target.lat,
        lon=target.lon,
        matched=best.mention.surface,
        precision=precision,
        explanation=_explain(best, scored, hint),
    )


def _explain(best: _Scored, scored: list[_Scored], hint: str | None) -> str:
    target = best.reading.target
    where = target.admin1 or target.country
    parts = [f"{best.mention.surface!r} -> {target.name} ({where}, {target.kind})"]
    parts.append(f"match: {best.reading.how}")
    if best.mention.cues:
        parts.append("cues: " + ", ".join(sorted(best.mention.cues)))
    if hint:
        parts.append(f"hint: {hint}")
    if best.rivals:
        also = ", ".join(
            f"{r.target.name} ({r.target.admin1 or r.target.country})" for r in best.rivals[:3]
        )
        parts.append(f"ambiguous, also: {also}")
    others = [s for s in scored if s is not best]
    if others:
        beaten = ", ".join(
            f"{s.mention.surface!r} ({s.reading.target.kind})"
            for s in sorted(others, key=lambda s: -s.value)[:3]
        )
        parts.append(f"preferred to {beaten}")
        parts.append(f"{target.country} has {best.focus:.0%} of the country evidence")
    parts.append(f"score {best.score:.1f}")
    return "; ".join(parts)


def _from_hint(hint: str) -> Location | None:
    country = load_world().countries.get(hint)
    if country is None:
        return None
    return Location(
        name=country.name,
        country=hint,
        admin1=None,
        lat=country.lat,
        lon=country.lon,
        matched="",
        precision="country",
        explanation=f"no place named in the text; the country of the hint {hint}",
    )
