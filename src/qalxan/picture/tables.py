"""Tables of the picture: incidents rolled up at three grains, each keyed by its dimensions.

Every row holds the same measures: the incidents counted, the sum of their severities, and the
killed and injured. An incident that bears on two threats is counted in a row of each: a sum
over threats counts it twice, a sum over the event types (or regions, or days) of one threat
does not. The incidents of no threat (a peaceful demonstration, an earthquake) are under the
threat ``""``, the unplaced under the region ``""``.

The rows are derived data: :mod:`qalxan.picture.rollup` keeps them up to date in the
transaction that writes the incidents, :mod:`qalxan.picture.rebuild` recomputes them. A row
whose measures all fall to zero is deleted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

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
