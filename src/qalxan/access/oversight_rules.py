"""The oversight vocabulary (``data/oversight.yaml``): read and change verbs, summary actions,
anomaly thresholds. Loaded once, validated; a bad file fails loudly."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, false, or_

from qalxan.access.tables import AuditRow


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Verbs(_Strict):
    read: tuple[str, ...]
    change: tuple[str, ...]

    @model_validator(mode="after")
    def _disjoint(self) -> Verbs:
        both = set(self.read) & set(self.change)
        if both:
            raise ValueError(f"verbs: {sorted(both)} are both read and change verbs")
        return self


class Summary(_Strict):
    screening_decision: str
    screening_disposition_key: str
    case_opened: str
    case_closed: str


class VolumeSpike(_Strict):
    baseline_days: int = Field(ge=1, le=365)
    k: float = Field(ge=0)
    min_count: int = Field(ge=1)


class OffHours(_Strict):
    min_count: int = Field(ge=1)


class CrossAgency(_Strict):
    min_count: int = Field(ge=1)
    exempt_action_prefixes: tuple[str, ...] = ()


class Anomalies(_Strict):
    volume_spike: VolumeSpike
    off_hours: OffHours
    cross_agency: CrossAgency


class Rules(_Strict):
    verbs: Verbs
    summary: Summary
    anomalies: Anomalies

    def is_read(self) -> ColumnElement[bool]:
        """SQL: the audit record is a read (its action ends with a read verb)."""
        return _ends_with(self.verbs.read)

    def is_change(self) -> ColumnElement[bool]:
        return _ends_with(self.verbs.change)


def _ends_with(verbs: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(false(), *(AuditRow.action.endswith(f".{v}", autoescape=True) for v in verbs))


@lru_cache(maxsize=1)
def rules() -> Rules:
    text = resources.files("qalxan.access").joinpath("data/oversight.yaml").read_text("utf-8")
    return Rules.model_validate(yaml.safe_load(text))
