"""Severity of an incident from data-driven rules (``severity.yaml``), with its reasons."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from qalxan.errors import first_problem
from qalxan.intake.taxonomy import taxonomy

LOWEST, HIGHEST = 1, 5


@dataclass(frozen=True)
class Facts:
    """What severity depends on."""

    event_type: str
    killed: int = 0
    injured: int = 0
    missing: int = 0
    pipeline_km: float | None = None
    pipeline: str | None = None
    border_zone: bool = False
    offshore: bool = False
    reports: int = 1


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    killed_at_least: int | None = None
    injured_at_least: int | None = None
    casualties_at_least: int | None = None
    casualties_at_most: int | None = None
    pipeline_within_km: float | None = None
    border_zone: bool | None = None
    offshore: bool | None = None
    category_in: tuple[str, ...] | None = None
    type_in: tuple[str, ...] | None = None
    threat_in: tuple[str, ...] | None = None
    public_event: bool | None = None
    reports_at_least: int | None = None

    def holds(self, facts: Facts) -> bool:
        kind = taxonomy().by_code[facts.event_type]
        casualties = facts.killed + facts.injured + facts.missing
        checks = (
            self.killed_at_least is None or facts.killed >= self.killed_at_least,
            self.injured_at_least is None or facts.injured >= self.injured_at_least,
            self.casualties_at_least is None or casualties >= self.casualties_at_least,
            self.casualties_at_most is None or casualties <= self.casualties_at_most,
            self.pipeline_within_km is None
            or (facts.pipeline_km is not None and facts.pipeline_km <= self.pipeline_within_km),
            self.border_zone is None or facts.border_zone == self.border_zone,
            self.offshore is None or facts.offshore == self.offshore,
            self.category_in is None or kind.category in self.category_in,
            self.type_in is None or kind.code in self.type_in,
            self.threat_in is None or bool(set(kind.bears_on) & set(self.threat_in)),
            self.public_event is None or kind.public_event == self.public_event,
            self.reports_at_least is None or facts.reports >= self.reports_at_least,
        )
        return all(checks)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    when: Condition
    add: int = 0
    max: int | None = None
    reason: str


class Scale(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    levels: dict[int, dict[str, str]]
    base_by_category: dict[str, int]
    base_by_type: dict[str, int]
    rules: tuple[Rule, ...]
    caps: tuple[Rule, ...]


@dataclass(frozen=True)
class Severity:
    level: int
    name: str
    reasons: tuple[dict[str, Any], ...]


def assess(facts: Facts) -> Severity:
    """The severity of an incident with these facts, and every rule that set it."""
    scale = rules()
    kind = taxonomy().by_code[facts.event_type]
    if kind.code in scale.base_by_type:
        level = scale.base_by_type[kind.code]
        reasons: list[dict[str, Any]] = [
            {"rule": "base", "level": level, "reason": f"base for {kind.name.en}"}
        ]
    else:
        level = scale.base_by_category[kind.category]
        reasons = [{"rule": "base", "level": level, "reason": f"base for {kind.category}"}]
    for rule in scale.rules:
        if rule.when.holds(facts):
            level += rule.add
            reason = rule.reason
            if rule.id == "near-pipeline" and facts.pipeline:
                reason = f"{reason}: {facts.pipeline}, {facts.pipeline_km:.1f} km"
            reasons.append({"rule": rule.id, "add": rule.add, "reason": reason})
    for cap in scale.caps:
        # Said even when the level is already below the cap: the reason is worth reading.
        if cap.max is not None and cap.when.holds(facts):
            level = min(level, cap.max)
            reasons.append({"rule": cap.id, "max": cap.max, "reason": cap.reason})
    level = max(LOWEST, min(HIGHEST, level))
    return Severity(level, scale.levels[level]["en"], tuple(reasons))


@lru_cache(maxsize=1)
def rules() -> Scale:
    text = resources.files("qalxan.intake").joinpath("severity.yaml").read_text("utf-8")
    try:
        scale = Scale.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))
    except ValidationError as exc:
        where, problem = first_problem(exc)
        raise ValueError(f"severity.yaml: {where}: {problem}") from exc
    known = taxonomy()
    categories = {c.code for c in known.categories}
    missing = categories - set(scale.base_by_category)
    if missing:
        raise ValueError(f"severity.yaml: no base for categories {sorted(missing)}")
    for rule in (*scale.rules, *scale.caps):
        unknown = set(rule.when.type_in or ()) - set(known.by_code)
        if unknown:
            raise ValueError(f"severity.yaml: rule {rule.id}: unknown types {sorted(unknown)}")
    return scale
