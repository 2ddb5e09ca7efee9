"""Periods, local days and working hours for oversight, in the installation's time zone.

Counting happens in SQL, but the boundaries are computed here, as UTC instants: the same
comparison then works on SQLite (naive UTC text) and PostgreSQL, and daylight saving is
handled once by :mod:`zoneinfo` instead of by each database's time zone support.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qalxan.errors import InvalidInput

DEFAULT_DAYS = 30
MAX_DAYS = 366
WEEKDAYS = range(5)  # Monday to Friday
# Times outside these years are typing errors, and near the ends of the calendar date
# arithmetic overflows.
EARLIEST, LATEST = 1900, 2200


def as_utc(at: datetime, zone: ZoneInfo | None = None) -> datetime:
    """An aware UTC instant; a naive time is read in ``zone`` (UTC when none is given)."""
    if not EARLIEST <= at.year <= LATEST:
        raise InvalidInput(
            f"period: {at.isoformat()} is outside the years {EARLIEST}-{LATEST}", field="period"
        )
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone or UTC)
    return at.astimezone(UTC)


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"timezone: unknown time zone {name!r}", field="timezone") from None


@dataclass(frozen=True)
class Period:
    """The half-open interval ``[since, until)`` in UTC."""

    since: datetime
    until: datetime

    @classmethod
    def of(
        cls,
        since: datetime | None,
        until: datetime | None,
        zone: ZoneInfo,
        now: datetime | None = None,
        max_days: int = MAX_DAYS,
    ) -> Period:
        """The period asked for: naive times are local; by default the last 30 days."""
        end = as_utc(until, zone) if until else as_utc(now or datetime.now(UTC))
        start = as_utc(since, zone) if since else end - timedelta(days=DEFAULT_DAYS)
        if start >= end:
            raise InvalidInput("since: must be before until", field="since")
        if end - start > timedelta(days=max_days):
            raise InvalidInput(f"until: a period is at most {max_days} days", field="until")
        return cls(start, end)

    def to_dict(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat()}


@dataclass(frozen=True)
class Day:
    """A local calendar day and its bounds as UTC instants."""

    day: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Clock:
    """The installation's zone and normal working hours (Monday to Friday)."""

    zone: ZoneInfo
    start: time
    end: time

    @classmethod
    def parse(cls, working_hours: str, timezone: str) -> Clock:
        try:
            first, last = (time.fromisoformat(p) for p in working_hours.split("-"))
        except ValueError:
            raise InvalidInput(
                f"working_hours: {working_hours!r} is not HH:MM-HH:MM", field="working_hours"
            ) from None
        if first >= last:
            raise InvalidInput(
                "working_hours: the start must be before the end", field="working_hours"
            )
        return cls(zone_of(timezone), first, last)

    def describe(self) -> str:
        return f"Monday-Friday {self.start:%H:%M}-{self.end:%H:%M} {self.zone.key}"

    def local(self, at: datetime) -> datetime:
        return as_utc(at).astimezone(self.zone)

    def day(self, on: date) -> Day:
        start = datetime.combine(on, time(0), self.zone)
        end = datetime.combine(on + timedelta(days=1), time(0), self.zone)
        return Day(on, start.astimezone(UTC), end.astimezone(UTC))

    def days(self, period: Period, before: int = 0) -> list[Day]:
        """The local days that overlap ``period``, preceded by ``before`` more days."""
        first = self.local(period.since).date() - timedelta(days=before)
        last = self.local(period.until - timedelta(microseconds=1)).date()
        return [self.day(first + timedelta(days=i)) for i in range((last - first).days + 1)]

    def working_intervals(self, period: Period) -> list[tuple[datetime, datetime]]:
        """The working hours of each weekday in ``period``, as UTC intervals."""
        spans = []
        for day in self.days(period):
            if day.day.weekday() in WEEKDAYS:
                start = datetime.combine(day.day, self.start, self.zone).astimezone(UTC)
                end = datetime.combine(day.day, self.end, self.zone).astimezone(UTC)
                spans.append((start, end))
        return spans

    def is_working(self, at: datetime) -> bool:
        local = self.local(at)
        return local.weekday() in WEEKDAYS and self.start <= local.time() < self.end
