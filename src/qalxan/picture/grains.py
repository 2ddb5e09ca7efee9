"""The grains of the picture: for each rollup table, the keys an incident's contribution
counts under (one per threat it bears on)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table

from qalxan.picture.contribution import Contribution
from qalxan.picture.tables import DayRow, DayTypeRow, MonthRow, NationalWeekRow, WeekRow

Key = tuple[Any, ...]
COUNTRY = "AZ"


@dataclass(frozen=True)
class Grain:
    name: str
    table: Table
    keys: Callable[[Contribution], list[Key]]

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The table's key columns, in the order of :attr:`keys`' tuples."""
        return tuple(column.name for column in self.table.primary_key.columns)

    def on(self, table: Table) -> Grain:
        """The same grain written to another table of the same columns (a scratch copy)."""
        return replace(self, table=table)


def _day_type(c: Contribution) -> list[Key]:
    return [(c.day, threat, c.event_type, c.region, c.classification) for threat in c.threats]


def _day(c: Contribution) -> list[Key]:
    return [(c.day, threat, c.region, c.classification) for threat in c.threats]


def _month(c: Contribution) -> list[Key]:
    month = first_of_month(c.day)
    return [(month, threat, c.region, c.classification) for threat in c.threats]


def _week(c: Contribution) -> list[Key]:
    week = monday_of(c.day)
    return [(week, threat, c.region, c.classification) for threat in c.threats]


def _national_week(c: Contribution) -> list[Key]:
    if not in_azerbaijan(c.region):
        return []
    week = monday_of(c.day)
    return [(week, threat, c.classification) for threat in c.threats]


def in_azerbaijan(region: str) -> bool:
    """Whether a region is in Azerbaijan: a district (``AZ-BA``) or the country itself."""
    return region == COUNTRY or region.startswith(f"{COUNTRY}-")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


GRAINS: tuple[Grain, ...] = (
    Grain("day_type", _table(DayTypeRow), _day_type),
    Grain("day", _table(DayRow), _day),
    Grain("month", _table(MonthRow), _month),
    Grain("week", _table(WeekRow), _week),
    Grain("national_week", _table(NationalWeekRow), _national_week),
)
