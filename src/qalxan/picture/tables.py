"""Tables of the picture: incidents rolled up at three grains, each keyed by its dimensions.

Every row holds the same measures: the incidents counted, the sum of their severities, and the
killed and injured. An incident that bears on two threats is counted in a row of each: a sum
over threats counts it twice, a sum over the event types (or regions, or days) of one threat
does not. The incidents of no threat (a peaceful demonstration) are under the
threat ``""``, the unplaced under the region ``""``.

The rows are derived data: :mod:`qalxan.picture.rollup` keeps them up to date in the
transaction that writes the incidents, :mod:`qalxan.picture.rebuild` recomputes them. A row
whose measures all fall to zero is deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Date, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qalxan.access.tables import Protected
from qalxan.store.tables import Base

# The measures of every grain, in the order rows and differences list them.
MEASURES = ("incidents", "severity_sum", "killed", "injured")


class Measures:
    incidents: Mapped[int] = mapped_column(Integer)
    severity_sum: Mapped[int] = mapped_column(Integer)
    killed: Mapped[int] = mapped_column(Integer)
    injured: Mapped[int] = mapped_column(Integer)


class DayTypeRow(Measures, Base):
    """Per day, threat, event type and region (``admin1``, else the country code)."""

    __tablename__ = "picture_day_type"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    threat: Mapped[str] = mapped_column(String(80), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str] = mapped_column(String(8), primary_key=True)
    classification: Mapped[int] = mapped_column(Integer, primary_key=True)


class DayRow(Measures, Base):
    """Per day, threat and region: the event types summed."""

    __tablename__ = "picture_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    threat: Mapped[str] = mapped_column(String(80), primary_key=True)
    region: Mapped[str] = mapped_column(String(8), primary_key=True)
    classification: Mapped[int] = mapped_column(Integer, primary_key=True)


class MonthRow(Measures, Base):
    """Per month (its first day), threat and region."""

    __tablename__ = "picture_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    threat: Mapped[str] = mapped_column(String(80), primary_key=True)
    region: Mapped[str] = mapped_column(String(8), primary_key=True)
    classification: Mapped[int] = mapped_column(Integer, primary_key=True)


class WeekRow(Measures, Base):
    """Per ISO week (its Monday), threat and region: what trend charts read."""

    __tablename__ = "picture_week"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    threat: Mapped[str] = mapped_column(String(80), primary_key=True)
    region: Mapped[str] = mapped_column(String(8), primary_key=True)
    classification: Mapped[int] = mapped_column(Integer, primary_key=True)


class NationalWeekRow(Measures, Base):
    """Per ISO week and threat, the incidents in Azerbaijan (every district, offshore, or the
    country without a district): the national trend charts, a few rows a week."""

    __tablename__ = "picture_national_week"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    threat: Mapped[str] = mapped_column(String(80), primary_key=True)
    classification: Mapped[int] = mapped_column(Integer, primary_key=True)


class RiskRow(Protected, Base):
    """One assessment of the risk register: how likely a threat is to materialise and how
    much harm it would do (5-point scales), nationally (region ``""``) or in a region, with
    the analyst's justification. Append-only: a new assessment of the same threat and region
    is the next version, and the register's history is its rows."""

    __tablename__ = "picture_risks"
    record_type: ClassVar[str] = "assessment"

    threat: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text)
    assessed_by: Mapped[str] = mapped_column(String(200))
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("threat", "region", "version", name="uq_picture_risks_version"),
    )


class WarningRow(Protected, Base):
    """An early warning: one signal of the detector on the series of one threat in one region
    (``""``: nationally), per day or week, with what it was decided on; or a triggered
    indicator in its window (``source`` ``indicator:<id>``; ``counts`` for the series). One
    per source, series and period: scanning again stores nothing new."""

    __tablename__ = "picture_warnings"
    record_type: ClassVar[str] = "assessment"

    threat: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(8))
    scale: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(16))
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    periods: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(80), default="counts")

    __table_args__ = (
        UniqueConstraint(
            "threat", "region", "scale", "period_start", "source", name="uq_picture_warnings_period"
        ),
        Index("ix_picture_warnings_raised", "raised_at", "id"),
    )


class NarrativeRow(Protected, Base):
    """The analysts' narrative of one period of the National Threat Assessment (a month
    ``2026-10`` or an ISO week ``2026-W44``). Append-only: each save is the period's next
    version, and the report prints the newest one its reader may read."""

    __tablename__ = "picture_narratives"
    record_type: ClassVar[str] = "assessment"

    period: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("period", "version", name="uq_picture_narratives_version"),)
