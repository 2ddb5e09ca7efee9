"""Early warnings: every watched series scanned, each new signal stored once, routed to the
agencies responsible for its threat, reviewed by the analysts.

**Scan.** For every threat with incidents in the last weeks (never ``""``: a peaceful
demonstration is not a threat), nationally and in every region that had them, the series is
read from the rollups (:mod:`qalxan.picture.series`) with the history its rule's baseline needs
(``years`` years for the seasonal one) and a run-in for the CUSUM, and the detector
(:mod:`qalxan.picture.detect`) is run over it; the signals of the complete periods of the last
:data:`LOOKBACK_DAYS` are stored (a missed scan, or reports that arrive late, still warn).
Nothing before the picture's first day is read as quiet: an installation's first weeks have no
history to compare with.

**Indicators.** The scan also evaluates the analysts' indicators
(:mod:`qalxan.picture.indicator_readings`): each triggered one is a warning of its own source
(``indicator:<id>``), stored, routed and published as a signal of a series is.

**Once.** A warning is keyed by source, threat, region, scale and period; it is inserted with
``ON CONFLICT DO NOTHING`` (the same SQL on SQLite and PostgreSQL), so that scanning again,
after a crash, or from several workers at once stores it once, and only the scan that stored
it routes and publishes it.

**Marking and routing.** A warning is owned by the agency the scan runs for (the operator's,
as every record the platform makes itself), classified as the highest classification among
the incidents of its window (nobody below learns of them through it), marked with the TLP that
reaches the agencies it is shared to, and shared with the lead and supporting agencies of its
threat (the doctrine's routing relations, each share with the relation's justification). It is
published to the live feed.

Reading and review: :mod:`qalxan.picture.warning_review`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qalxan.access import audit
from qalxan.access.markings import scheme
from qalxan.access.tables import ShareRow
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import InvalidInput
from qalxan.intake.tables import FeedRow
from qalxan.picture import detect, indicator_readings, series, warning_rules
from qalxan.picture.baseline import Window
from qalxan.picture.detect import Rule, Signal
from qalxan.picture.indicator_readings import Reading
from qalxan.picture.tables import WarningRow
from qalxan.store.engine import Driver, driver, session_factory, write_transaction
from qalxan.store.ids import new_id
from qalxan.store.periodic import periodic

RECORD_TYPE = WarningRow.record_type
TABLE = WarningRow.__tablename__
KEY = ("threat", "region", "scale", "period_start", "source")  # its unique constraint
COUNTS = "counts"  # the source of the count series' warnings (an indicator's: indicator:<id>)
ACTOR = "qalxan:warnings"
# Periods that ended this many days before the scan or later are looked at.
LOOKBACK_DAYS = 28
# The CUSUM starts this many moving baselines before the first period looked at, so that its
# sum has settled by then.
RUN_IN = 4
OPEN = "open"
ROLES = {"lead_agency": "lead", "supporting_agency": "supporting"}


@dataclass(frozen=True)
class Found:
    """A signal of one series, with what a warning of it is stored as."""

    threat: str
    region: str
    scale: str
    period_start: date
    rule: Rule
    signal: Signal
    classification: int
    source: str = COUNTS

    @property
    def key(self) -> tuple[str, str, str, date, str]:
        return (self.threat, self.region, self.scale, self.period_start, self.source)


# What a warning is stored of: a signal of a count series, or a triggered indicator.
Candidate = Found | Reading
C = TypeVar("C", Found, Reading, Candidate)


# -- scanning ---------------------------------------------------------------------------------
def find(
    session: Session,
    today: date,
    rules: Path = warning_rules.BUNDLED,
    lookback_days: int = LOOKBACK_DAYS,
) -> list[Found]:
    """Every signal of every watched series in the complete periods (those that ended before
    ``today``) of the last ``lookback_days``, stored or not."""
    begins = series.first_day(session)
    if begins is None:
        return []
    window_start = today - timedelta(days=lookback_days + max(series.STEP.values()))
    watched: dict[str, list[str]] = {}
    for threat, region in series.present(session, window_start, today, _every_level()):
        watched.setdefault(threat, []).append(region)
    found: list[Found] = []
    for threat, regions in watched.items():
        rule = warning_rules.rule_for(threat, rules)
        found.extend(_signals(session, threat, regions, rule, today, begins, lookback_days))
    return found


def _signals(
    session: Session,
    threat: str,
    regions: list[str],
    rule: Rule,
    today: date,
    begins: date,
    lookback_days: int,
) -> list[Found]:
    step = timedelta(days=series.STEP[rule.scale])
    last = series.period_start(today, rule.scale) - step  # the last complete period
    recent = max(1, math.ceil(lookback_days / step.days))
    first_recent = last - step * (recent - 1)
    earliest = series.period_start(begins, rule.scale)
    start = max(first_recent - step * _history(rule.window), earliest)
    if start > last:
        return []
    every = series.read_all(session, threat, rule.scale, start, last, _every_level())
    begin = max(0, (first_recent - start) // step)
    return [
        Found(
            threat,
            region,
            rule.scale,
            counted.starts[signal.period],
            rule,
            signal,
            counted.classification(signal.period - signal.periods + 1, signal.period),
        )
        for region in regions
        if (counted := every.get(region)) is not None
        for signal in detect.scan(counted.counts, rule, begin)
    ]


def _every_level() -> int:
    # The scan reads every incident: the warning's own classification is what protects them.
    return scheme().highest.rank


def _history(window: Window) -> int:
    """Periods read before the first one looked at: the seasonal baseline's years (it applies
    from two years on), or the CUSUM's run-in, whichever is longer."""
    seasonal = max(window.years * window.season + window.half_width, 2 * window.season)
    return max(seasonal, RUN_IN * (window.window + window.guard))


def candidates(
    session: Session,
    today: date,
    rules: Path = warning_rules.BUNDLED,
    lookback_days: int = LOOKBACK_DAYS,
) -> list[Candidate]:
    """Every signal of :func:`find` and every triggered indicator, stored or not."""
    return [
        *find(session, today, rules, lookback_days),
        *indicator_readings.triggered(session, today),
    ]


def unstored(session: Session, found: list[C]) -> list[C]:
    """The signals of ``found`` without a stored warning."""
    if not found:
        return []
    earliest = min(f.period_start for f in found)
    columns = [getattr(WarningRow, name) for name in KEY]
    rows = session.execute(select(*columns).where(WarningRow.period_start >= earliest))
    stored = {tuple(row) for row in rows}
    return [f for f in found if f.key not in stored]


def scan(
    db: Session | Engine,
    today: date,
    doctrine: Doctrine,
    owner_agency: str,
    rules: Path = warning_rules.BUNDLED,
    lookback_days: int = LOOKBACK_DAYS,
) -> list[WarningRow]:
    """Scan, and store, route and publish the new warnings (in ``db``'s transaction when it
    is a session, else in one of its own); returns the warnings this scan stored."""
    if isinstance(db, Session):
        found = unstored(db, candidates(db, today, rules, lookback_days))
        return store(db, found, doctrine, owner_agency, datetime.now(UTC))
    with session_factory(db)() as session:
        found = unstored(session, candidates(session, today, rules, lookback_days))
    if not found:
        return []
    with write_transaction(db) as session:
        return store(session, found, doctrine, owner_agency, datetime.now(UTC))


def run(ctx: audit.Context, doctrine: Doctrine, today: date | None = None) -> list[WarningRow]:
    """The scan as the platform runs it (the console, the server's workers): warnings owned by
    the caller's agency, the storing audited. A scan that finds nothing new (most do) leaves
    no audit record."""
    owner = ctx.principal.agency_id
    if owner is None:
        raise InvalidInput("owner_agency: the scan needs an agency to own its warnings")
    today = today or datetime.now(UTC).date()
    with session_factory(ctx.trail.engine)() as session:
        found = unstored(session, candidates(session, today))
    if not found:
        return []
    with audit.recorded(ctx, "warning.create", RECORD_TYPE) as rec:
        raised = store(rec.session, found, doctrine, owner, datetime.now(UTC))
        rec.entry.record_agency = owner
        rec.entry.detail = {"today": today.isoformat(), "raised": [w.id for w in raised][:200]}
    return raised


@contextmanager
def background(ctx: audit.Context, cache: DoctrineCache, every_seconds: float) -> Iterator[None]:
    """While the block runs, scan from a background thread every ``every_seconds``."""
    if every_seconds <= 0:
        yield
        return
    with periodic(
        "qalxan-warnings",
        every_seconds,
        lambda: run(ctx, cache.current(ctx.trail.engine)),
        "the early-warning scan failed; retrying at the next interval",
    ):
        yield


# -- storing and routing ----------------------------------------------------------------------
def store(
    session: Session,
    found: Sequence[Candidate],
    doctrine: Doctrine,
    owner_agency: str,
    now: datetime,
) -> list[WarningRow]:
    """Insert a warning per signal or triggered indicator (none for a key stored already, by
    anyone), and route and publish those inserted."""
    marking = scheme().tlp_with_reach("shared")[0]
    ids: list[str] = []
    for f in sorted(found, key=lambda f: f.key):
        values = _values(f, doctrine, owner_agency, marking, now)
        warning_id = _insert(session, values)
        if warning_id is None:
            continue
        ids.append(warning_id)
        for agency_id, reason in responsible(doctrine, f.threat):
            if agency_id != owner_agency:
                session.add(
                    ShareRow(
                        record_type=RECORD_TYPE,
                        record_id=warning_id,
                        agency_id=agency_id,
                        reason=reason,
                        granted_by=ACTOR,
                        granted_at=now,
                    )
                )
        session.add(
            FeedRow(
                at=now,
                kind="warning.raised",
                record_type=RECORD_TYPE,
                record_id=warning_id,
                summary={
                    "threat": f.threat,
                    "region": f.region,
                    "scale": f.scale,
                    "period_start": f.period_start.isoformat(),
                    "source": f.source,
                    "method": values["method"],
                    "observed": values["observed"],
                    "expected": round(values["expected"], 2),
                    "probability": values["probability"],
                },
            )
        )
    session.flush()
    if not ids:
        return []
    rows = session.scalars(select(WarningRow).where(WarningRow.id.in_(ids)))
    return sorted(rows, key=lambda w: (w.threat, w.region, w.scale, w.period_start))


def responsible(doctrine: Doctrine, threat: str) -> list[tuple[str, str]]:
    """The agencies a warning about ``threat`` goes to, lead first, each with its reason: the
    doctrine's routing relations, as incidents of the threat are routed."""
    label = threat_label(doctrine, threat)
    found: dict[str, tuple[int, str]] = {}
    for edge in doctrine.edges(threat):
        role = ROLES.get(edge.relation.type)
        if edge.direction != "out" or role is None:
            continue
        rank = list(ROLES.values()).index(role)
        reason = f"{role} agency for {label}: {edge.relation.justification}"
        if edge.other.id not in found or rank < found[edge.other.id][0]:
            found[edge.other.id] = (rank, reason)
    ordered = sorted(found.items(), key=lambda item: (item[1][0], item[0]))
    return [(agency_id, reason) for agency_id, (_, reason) in ordered]


def threat_label(doctrine: Doctrine, threat: str) -> str:
    item = doctrine.items.get(threat)
    if item is None:
        return threat
    return f"{item.code} {item.name.en}" if item.code else item.name.en


def _values(
    f: Candidate, doctrine: Doctrine, owner_agency: str, marking: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "owner_agency": owner_agency,
        "owner_unit": None,
        "classification": f.classification,
        "tlp": marking,
        "threat": f.threat,
        "region": f.region,
        "scale": f.scale,
        "period_start": f.period_start,
        "source": f.source,
        **(_signalled(f, doctrine) if isinstance(f, Found) else _indicated(f, doctrine)),
        "raised_at": now,
        "status": OPEN,
        "closed_by": None,
        "closed_at": None,
        "close_note": None,
    }


def _signalled(f: Found, doctrine: Doctrine) -> dict[str, Any]:
    where = "nationally" if f.region == series.NATIONAL else f"in {f.region}"
    explanation = (
        f"{threat_label(doctrine, f.threat)} {where}, the {f.scale} of "
        f"{f.period_start.isoformat()}: {f.signal.explain()}"
    )
    return {
        "rule": f.rule.name,
        "method": f.signal.method,
        "observed": f.signal.observed,
        "expected": f.signal.expected,
        "periods": f.signal.periods,
        "probability": f.signal.probability,
        "explanation": explanation,
    }


def _indicated(r: Reading, doctrine: Doctrine) -> dict[str, Any]:
    """A triggered indicator as a warning: the count observed, its norm as expected (0 and a
    probability of 1 while it has none), and the reading's explanation."""
    where = "nationally" if r.region == series.NATIONAL else f"in {r.region}"
    return {
        "rule": r.indicator.id,
        "method": r.indicator.trigger,
        "observed": r.count,
        "expected": r.norm.mean if r.norm is not None else 0.0,
        "periods": 1,
        "probability": r.probability if r.probability is not None else 1.0,
        "explanation": (
            f"{r.indicator.name.en} ({threat_label(doctrine, r.threat)}) {where}: {r.why}"
        ),
    }


def _insert(session: Session, values: dict[str, Any]) -> str | None:
    """Insert one warning unless its key is stored (by this scan or any other): its id, or
    None. Through the driver, as the rollups are written: one statement, the same SQL on
    SQLite and PostgreSQL, and no exception to recover from when another worker was first."""
    db = driver(session)
    names = list(values)
    params = [_param(db, values[name]) for name in names]
    sql = (
        f"INSERT INTO {TABLE} ({', '.join(names)}) "  # noqa: S608 (names of ours)
        f"VALUES ({', '.join('?' for _ in names)}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO NOTHING RETURNING id"
    )
    row = db.execute(sql, params).fetchone()
    return None if row is None else str(row[0])


def _param(db: Driver, value: Any) -> Any:
    """``value`` as SQLAlchemy stores it (SQLite: times as naive UTC text, dates ISO text)."""
    if isinstance(value, datetime):
        return db.timestamp(value)
    if isinstance(value, date) and db.sqlite:
        return value.isoformat()
    return value


# -- review -----------------------------------------------------------------------------------
