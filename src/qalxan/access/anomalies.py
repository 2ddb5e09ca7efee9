"""Access outside normal patterns, each finding with the rule, the figures and the reason.

Three rules, their thresholds in ``data/oversight.yaml``:

- volume spike: a user's reads on one local day against their own daily reads over the
  ``baseline_days`` before it; flagged above ``max(min_count, mean + k * sd)``;
- off hours: actions outside the working hours (Monday to Friday, ``QALXAN_WORKING_HOURS`` in
  ``QALXAN_TIMEZONE``);
- cross agency: reads and changes of records owned by another agency than the actor's.

Only actions someone can be held to account for are considered: those of a signed-in user or
of a command-line operator (not anonymous login attempts, not the platform's own jobs). Days
are whole local days: a period starting at noon still counts that day from midnight. The
counting is SQL aggregates (per user, day and action); only the aggregates reach Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import fmean, pstdev
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from qalxan.access import audit
from qalxan.access.oversight import in_period, oversight_view
from qalxan.access.oversight_rules import CrossAgency, OffHours, VolumeSpike, rules
from qalxan.access.periods import Clock, Day, Period, as_utc
from qalxan.access.tables import AuditRow

Kind = Literal["volume_spike", "off_hours", "cross_agency"]
ORDER: dict[str, int] = {"volume_spike": 0, "off_hours": 1, "cross_agency": 2}
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
FAR_PAST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Actor:
    username: str
    user_id: str | None
    agency: str | None


@dataclass(frozen=True)
class Anomaly:
    kind: Kind
    actor: Actor
    observed: int
    expected: float
    threshold: float
    rule: str
    explanation: str
    day: date | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "user_id": self.actor.user_id,
            "username": self.actor.username,
            "agency": self.actor.agency,
            "day": self.day.isoformat() if self.day else None,
            "observed": self.observed,
            "expected": round(self.expected, 3),
            "threshold": round(self.threshold, 3),
            "rule": self.rule,
            "explanation": self.explanation,
            "detail": self.detail,
        }


def attributable() -> ColumnElement[bool]:
    return or_(AuditRow.actor_id.is_not(None), AuditRow.via == "cli")


ACTOR_COLUMNS = (AuditRow.actor_name, AuditRow.actor_id, AuditRow.actor_agency)


def _actor(row: Any) -> Actor:
    return Actor(row.actor_name, row.actor_id, row.actor_agency)


def day_index(days: list[Day]) -> ColumnElement[int]:
    """SQL: the position in ``days`` of the local day a record falls on (contiguous days).

    The positions are literal SQL (they are ints of our own), so that PostgreSQL sees the
    same expression in the select list and in GROUP BY.
    """
    whens: list[tuple[ColumnElement[bool], ColumnElement[int]]] = [
        (AuditRow.at < d.end, literal_column(str(i), Integer)) for i, d in enumerate(days[:-1])
    ]
    last: ColumnElement[int] = literal_column(str(len(days) - 1), Integer)
    # Never a bare number: in GROUP BY, SQL reads a bare integer as a column position.
    return case(*whens, else_=last) if whens else case((AuditRow.seq.is_not(None), last))


def volume_spikes(
    session: Session, period: Period, clock: Clock, rule: VolumeSpike
) -> list[Anomaly]:
    days = clock.days(period, before=rule.baseline_days)
    first = rule.baseline_days
    index = day_index(days).label("day")
    counts: dict[Actor, list[int]] = defaultdict(lambda: [0] * len(days))
    for row in session.execute(
        select(*ACTOR_COLUMNS, index, func.count().label("n"))
        .where(
            AuditRow.at >= days[0].start,
            AuditRow.at < days[-1].end,
            rules().is_read(),
            attributable(),
        )
        .group_by(*ACTOR_COLUMNS, index)
    ):
        counts[_actor(row)][int(row.day)] += int(row.n)
    text = (
        f"reads on a day above max({rule.min_count}, mean + {rule.k:g} x sd) of the user's "
        f"reads on each of the {rule.baseline_days} days before"
    )
    found = []
    for actor, series in counts.items():
        for i in range(first, len(days)):
            observed = series[i]
            if observed <= rule.min_count:
                continue
            baseline = series[i - rule.baseline_days : i]
            mean, sd = fmean(baseline), pstdev(baseline)
            threshold = max(float(rule.min_count), mean + rule.k * sd)
            if observed > threshold:
                found.append(
                    Anomaly(
                        "volume_spike",
                        actor,
                        observed,
                        mean,
                        threshold,
                        text,
                        f"{observed} reads on {days[i].day:%A %Y-%m-%d}; over the "
                        f"{rule.baseline_days} days before, {mean:.1f} a day on average "
                        f"(sd {sd:.1f}), so more than {threshold:.1f} is out of the ordinary",
                        day=days[i].day,
                        detail={"baseline_mean": round(mean, 3), "baseline_sd": round(sd, 3)},
                    )
                )
    return found


def off_hours(session: Session, period: Period, clock: Clock, rule: OffHours) -> list[Anomaly]:
    days = clock.days(period)
    index = day_index(days).label("day")
    working = or_(
        false(),
        *(and_(AuditRow.at >= s, AuditRow.at < e) for s, e in clock.working_intervals(period)),
    )
    groups: dict[tuple[Actor, int], _Tally] = defaultdict(_Tally)
    for row in session.execute(
        select(
            *ACTOR_COLUMNS,
            index,
            AuditRow.action,
            func.count().label("n"),
            func.min(AuditRow.at).label("first"),
            func.max(AuditRow.at).label("last"),
        )
        .where(in_period(period), not_(working), attributable())
        .group_by(*ACTOR_COLUMNS, index, AuditRow.action)
    ):
        groups[(_actor(row), int(row.day))].add(row)
    text = f"actions outside working hours ({clock.describe()}), at least {rule.min_count}"
    found = []
    for (actor, i), tally in groups.items():
        if tally.n < rule.min_count:
            continue
        day = days[i].day
        first, last = clock.local(tally.first), clock.local(tally.last)
        found.append(
            Anomaly(
                "off_hours",
                actor,
                tally.n,
                0.0,
                float(rule.min_count),
                text,
                f"{tally.n} actions on {day:%A %Y-%m-%d} outside {clock.describe()}: "
                f"the first at {first:%H:%M}, the last at {last:%H:%M}",
                day=day,
                detail={
                    "actions": tally.actions,
                    "first": first.isoformat(),
                    "last": last.isoformat(),
                },
            )
        )
    return found


def cross_agency(session: Session, period: Period, rule: CrossAgency) -> list[Anomaly]:
    exempt = [
        AuditRow.action.startswith(prefix, autoescape=True)
        for prefix in rule.exempt_action_prefixes
    ]
    groups: dict[tuple[Actor, str], _Tally] = defaultdict(_Tally)
    for row in session.execute(
        select(
            *ACTOR_COLUMNS,
            AuditRow.record_agency,
            AuditRow.action,
            func.count().label("n"),
            func.min(AuditRow.at).label("first"),
            func.max(AuditRow.at).label("last"),
        )
        .where(
            in_period(period),
            attributable(),
            AuditRow.record_agency.is_not(None),
            AuditRow.actor_agency.is_not(None),
            AuditRow.record_agency != AuditRow.actor_agency,
            or_(rules().is_read(), rules().is_change()),
            not_(or_(false(), *exempt)),
        )
        .group_by(*ACTOR_COLUMNS, AuditRow.record_agency, AuditRow.action)
    ):
        groups[(_actor(row), row.record_agency)].add(row)
    text = (
        "reads and changes of records owned by another agency, at least "
        f"{rule.min_count} (exempt: {', '.join(rule.exempt_action_prefixes) or 'none'})"
    )
    found = []
    for (actor, owner), tally in groups.items():
        if tally.n < rule.min_count:
            continue
        found.append(
            Anomaly(
                "cross_agency",
                actor,
                tally.n,
                0.0,
                float(rule.min_count),
                text,
                f"{tally.n} reads or changes of records owned by {owner}, "
                f"while the user belongs to {actor.agency}",
                detail={
                    "record_agency": owner,
                    "actions": tally.actions,
                    "first": audit.timestamp(tally.first),
                    "last": audit.timestamp(tally.last),
                },
            )
        )
    return found


@dataclass
class _Tally:
    """Counts of one actor's actions per action name, with the first and last time."""

    n: int = 0
    first: datetime = FAR_FUTURE
    last: datetime = FAR_PAST
    actions: dict[str, int] = field(default_factory=dict)

    def add(self, row: Any) -> None:
        self.n += int(row.n)
        self.actions[row.action] = self.actions.get(row.action, 0) + int(row.n)
        self.first = min(self.first, as_utc(row.first))
        self.last = max(self.last, as_utc(row.last))


def detect(session: Session, period: Period, clock: Clock) -> list[Anomaly]:
    """Every anomaly of ``period`` (no permission check: see :func:`anomalies`)."""
    thresholds = rules().anomalies
    found = [
        *volume_spikes(session, period, clock, thresholds.volume_spike),
        *off_hours(session, period, clock, thresholds.off_hours),
        *cross_agency(session, period, thresholds.cross_agency),
    ]
    return sorted(
        found,
        key=lambda a: (ORDER[a.kind], a.day or date.min, -a.observed, a.actor.username),
    )


def anomalies(ctx: audit.Context, period: Period, clock: Clock) -> list[Anomaly]:
    with oversight_view(ctx, "anomalies", period) as rec:
        return detect(rec.session, period, clock)
