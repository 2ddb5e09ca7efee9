"""The periods of the National Threat Assessment: a month (``2026-10``) or an ISO week
(``2026-W44``, Monday to Sunday), each with the period before it ("changes since the last
period"). Days are UTC days, as the rollups count them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from qalxan.access.periods import EARLIEST, LATEST
from qalxan.errors import InvalidInput

MONTH = re.compile(r"(\d{4})-(\d{2})")
WEEK = re.compile(r"(\d{4})-W(\d{2})", re.IGNORECASE)
Kind = Literal["month", "week"]


@dataclass(frozen=True)
class Period:
    """From ``first`` to ``last`` (both included); ``label`` is how it is written."""

    label: str
    kind: Kind
    first: date
    last: date

    @property
    def until(self) -> date:
        """The day after the period: the end of the half-open ``[first, until)``."""
        return self.last + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.until - self.first).days

    @property
    def since_at(self) -> datetime:
        """The first instant of the period (UTC), for comparing timestamps."""
        return datetime.combine(self.first, time(), UTC)

    @property
    def until_at(self) -> datetime:
        """The first instant after the period (UTC)."""
        return datetime.combine(self.until, time(), UTC)

    @property
    def title(self) -> str:
        """``October 2026``, or ``Week 44 of 2026``."""
        if self.kind == "month":
            return self.first.strftime("%B %Y")
        year, week, _ = self.first.isocalendar()
        return f"Week {week} of {year}"

    @property
    def span(self) -> str:
        """The days written out: ``1–31 October 2026``, ``26 October – 1 November 2026``."""
        first, last = self.first, self.last
        end = f"{last.day} {last:%B} {last.year}"
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{end}"
        start = f"{first.day} {first:%B}" + (f" {first.year}" if first.year != last.year else "")
        return f"{start} – {end}"

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return of_day(self.first - timedelta(days=1), self.kind)


def parse(text: str) -> Period:
    """A month ``YYYY-MM`` or an ISO week ``YYYY-Www``; anything else is :class:`InvalidInput`
    naming ``period``."""
    value = text.strip()
    if found := MONTH.fullmatch(value):
        year, month = int(found[1]), int(found[2])
        _check_year(year, text)
        if not 1 <= month <= 12:
            raise InvalidInput(f"period: {text!r} has no month {month} (01-12)", "period")
        return of_day(date(year, month, 1), "month")
    if found := WEEK.fullmatch(value):
        year, week = int(found[1]), int(found[2])
        _check_year(year, text)
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InvalidInput(
                f"period: {year} has no ISO week {week} (01-{_weeks_in(year)})", "period"
            ) from None
        return of_day(monday, "week")
    raise InvalidInput(
        f"period: {text!r} is neither a month (YYYY-MM, e.g. 2026-10) nor an ISO week "
        "(YYYY-Www, e.g. 2026-W44)",
        "period",
    )


def of_day(day: date, kind: Kind) -> Period:
    """The month or ISO week ``day`` falls in."""
    if kind == "month":
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        return Period(f"{first:%Y-%m}", kind, first, after - timedelta(days=1))
    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    return Period(f"{year}-W{week:02d}", kind, monday, monday + timedelta(days=6))


def _check_year(year: int, text: str) -> None:
    if not EARLIEST <= year <= LATEST:
        raise InvalidInput(f"period: {text!r} is outside the years {EARLIEST}-{LATEST}", "period")


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]
