"""The complaint vocabulary (``data/complaints.yaml``): kinds, deadlines, statuses, calendar.

Loaded once and validated: every ``next`` status must exist, and the working-day arithmetic
the deadlines need lives here beside the calendar it depends on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from typing import Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from qalxan.access.markings import scheme
from qalxan.errors import InvalidInput

WEEKEND = (5, 6)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    en: str
    az: str


class Kind(_Strict):
    name: Names
    routing: Literal["record_owner", "internal_investigations"]
    acknowledge_days: int = Field(ge=0, le=365)
    respond_days: int = Field(ge=1, le=365)
    extended_respond_days: int = Field(ge=1, le=365)

    @model_validator(mode="after")
    def _extension_is_longer(self) -> Kind:
        if self.extended_respond_days < self.respond_days:
            raise ValueError("extended_respond_days must not be shorter than respond_days")
        return self


class Status(_Strict):
    next: tuple[str, ...] = ()
    permission: Literal["update", "decide"]
    final: bool = False
    acknowledged: bool = True


class ComplaintRules(_Strict):
    classification: str
    reference_prefix: str = Field(pattern=r"^[A-Z]{1,4}$")
    holidays: tuple[date, ...] = ()
    kinds: dict[str, Kind]
    initial: str
    statuses: dict[str, Status]

    @model_validator(mode="after")
    def _consistent(self) -> ComplaintRules:
        scheme().classification(self.classification)
        if self.initial not in self.statuses:
            raise ValueError(f"initial: unknown status {self.initial!r}")
        for code, status in self.statuses.items():
            unknown = [s for s in status.next if s not in self.statuses]
            if unknown:
                raise ValueError(f"statuses.{code}.next: unknown status {unknown[0]!r}")
            if status.final and status.next:
                raise ValueError(f"statuses.{code}: a final status has no next status")
        return self

    @property
    def open_statuses(self) -> list[str]:
        return [code for code, s in self.statuses.items() if not s.final]

    @property
    def unacknowledged_statuses(self) -> list[str]:
        return [code for code, s in self.statuses.items() if not s.acknowledged]

    def kind(self, code: str) -> Kind:
        try:
            return self.kinds[code]
        except KeyError:
            known = ", ".join(self.kinds)
            raise InvalidInput(f"kind: unknown kind {code!r} (one of {known})", "kind") from None

    def status(self, code: str) -> Status:
        try:
            return self.statuses[code]
        except KeyError:
            known = ", ".join(self.statuses)
            raise InvalidInput(
                f"status: unknown status {code!r} (one of {known})", "status"
            ) from None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.holidays

    def deadline(self, received: datetime, working_days: int, zone: ZoneInfo) -> datetime:
        """The end (local midnight, as UTC) of the ``working_days``-th working day after
        receipt."""
        day = received.astimezone(zone).date()
        left = working_days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        # Stored as UTC: SQLite keeps the wall time of an aware value and drops its zone.
        return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)


@lru_cache(maxsize=1)
def complaint_rules() -> ComplaintRules:
    text = resources.files("qalxan.access").joinpath("data/complaints.yaml").read_text("utf-8")
    return ComplaintRules.model_validate(yaml.safe_load(text))
