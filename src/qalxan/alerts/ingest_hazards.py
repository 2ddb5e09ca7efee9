"""Which received CAP alerts are hazards the platform watches: ``data/hazards.yaml``.

An info block is a hazard when one of its categories is listed for the hazard and its event
text or an eventCode value names it (terms in az, ru and en, compared folded: "Daşqın",
"DASQIN" and "daşqını" meet) or carries one of its SAME codes. The file is loaded once and
checked: an unknown event type, CAP category or field fails loudly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qalxan.alerts.model import Info
from qalxan.alerts.vocabulary import load_vocabulary
from qalxan.errors import QalxanError, first_problem
from qalxan.intake.taxonomy import taxonomy
from qalxan.lang.fold import fold

FILE = "hazards.yaml"


class HazardsError(QalxanError):
    """``data/hazards.yaml`` is missing or does not validate."""

    code = "hazards_invalid"


class Terms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: tuple[str, ...] = ()
    az: tuple[str, ...] = ()
    ru: tuple[str, ...] = ()


class Hazard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: str
    categories: tuple[str, ...] = Field(min_length=1)
    why: str = Field(min_length=1)
    terms: Terms
    codes: tuple[str, ...] = ()


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reliability: str = Field(pattern="^[A-F]$")
    credibility: dict[str, int]
    hazards: tuple[Hazard, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Match:
    """The hazard an info block is, and why: its category and the term or code it showed."""

    hazard: Hazard
    category: str
    evidence: str

    @property
    def event_type(self) -> str:
        return self.hazard.event_type


@dataclass(frozen=True)
class Hazards:
    reliability: str
    credibility: dict[str, int]
    rules: tuple[tuple[Hazard, re.Pattern[str], frozenset[str]], ...]

    def match(self, info: Info) -> Match | None:
        """The first hazard ``info`` is, or None."""
        text = fold(" | ".join((info.event, *(code.value for code in info.event_codes))))
        codes = {code.value.strip().upper() for code in info.event_codes}
        for hazard, pattern, hazard_codes in self.rules:
            category = next((c for c in info.categories if c in hazard.categories), None)
            if category is None:
                continue
            found = pattern.search(text)
            if found is not None:
                return Match(hazard, category, f"event text matched '{found.group(0)}'")
            code = next(iter(sorted(codes & hazard_codes)), None)
            if code is not None:
                return Match(hazard, category, f"event code {code}")
        return None


def term_pattern(term: str) -> str:
    """A term as a regular expression over folded text: words apart by spaces or hyphens, a
    trailing ``*`` a prefix, matched as whole words."""
    words = re.split(r"[\s\-]+", fold(term).strip())
    parts = [re.escape(w.removesuffix("*")) + (r"\w*" if w.endswith("*") else "") for w in words]
    return r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)"


@lru_cache(maxsize=1)
def load_hazards() -> Hazards:
    try:
        raw = yaml.safe_load(resources.files("qalxan.alerts").joinpath("data", FILE).read_text())
        data = _File.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise HazardsError(f"{FILE}: {exc}") from exc
    except ValidationError as exc:
        where, problem = first_problem(exc)
        raise HazardsError(f"{FILE}: {where}: {problem}") from exc
    _check(data)
    rules = []
    for hazard in data.hazards:
        terms = (*hazard.terms.en, *hazard.terms.az, *hazard.terms.ru)
        pattern = re.compile("|".join(term_pattern(t) for t in terms) or r"(?!)")
        rules.append((hazard, pattern, frozenset(c.upper() for c in hazard.codes)))
    return Hazards(data.reliability, dict(data.credibility), tuple(rules))


def _check(data: _File) -> None:
    vocabulary = load_vocabulary()
    known_types = taxonomy().by_code
    for n, hazard in enumerate(data.hazards):
        if hazard.event_type not in known_types:
            raise HazardsError(
                f"{FILE}: hazards.{n}.event_type: {hazard.event_type!r} is no event type"
            )
        unknown = [c for c in hazard.categories if c not in vocabulary.category]
        if unknown:
            raise HazardsError(f"{FILE}: hazards.{n}.categories: {unknown[0]!r} is no CAP category")
    missing = set(vocabulary.certainty) - set(data.credibility)
    if missing or set(data.credibility) - set(vocabulary.certainty):
        raise HazardsError(f"{FILE}: credibility: one grade for each CAP certainty")
    if not all(1 <= grade <= 6 for grade in data.credibility.values()):
        raise HazardsError(f"{FILE}: credibility: grades from 1 to 6")
