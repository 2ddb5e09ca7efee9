"""The correlation pass: incidents whose reports changed since the last pass, and a retro-hunt
of recent reports for indicators that arrived since.

Intake is not slowed and never fails because of correlation: a pass runs apart from it, from
a worker's background thread every ``every_seconds`` (:func:`background`) or from
``qalxan cti correlate``, so a report is correlated at most one interval (plus the pass's own
time) after it was stored; ``POST /api/v1/cti/incidents/{id}/correlate`` does it at once.

What changed is read from the live feed (``feed``, written in the transaction that stored a
report, joined it, merged or split an incident; kinds in ``correlation.yaml``), from the feed
row after the one the last pass recorded. The pass's audit record (``cti.correlate.pass``)
holds that watermark, and the newest ``date_added`` of the indicators it saw. Rows younger
than ``settle_seconds`` are read again by the next pass, since a transaction that took an
earlier id may commit later; reading twice costs a little time and stores nothing twice.

The retro-hunt: each indicator stored since the last pass is looked for in the reports
observed in the last ``retro_hunt_days`` (their observables are extracted and the indicator
evaluated in memory; the index is not needed), and the incidents of the reports that show it
are correlated. Operators of the sectors a new indicator names are told of it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit
from qalxan.access.tables import AuditRow
from qalxan.cti import index, notify, observables, sectors
from qalxan.cti.correlate import correlate_incident, suspects, texts
from qalxan.cti.correlation_rules import rules
from qalxan.cti.patterns import Pattern
from qalxan.cti.tables import CtiObjectRow
from qalxan.doctrine.registry import Doctrine
from qalxan.intake.tables import FeedRow, MembershipRow, ReportRow
from qalxan.store.engine import session_factory
from qalxan.store.periodic import periodic

ACTION = "cti.correlate.pass"
log = logging.getLogger(__name__)


@dataclass
class Pass:
    incidents: list[str] = field(default_factory=list)
    new_indicators: int = 0
    retro_incidents: int = 0
    sightings: int = 0
    linked: int = 0
    notices: int = 0
    failed: list[str] = field(default_factory=list)
    feed_through: int | None = None
    indicators_through: str | None = None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def watermark(session: Session) -> tuple[int | None, datetime | None]:
    """(feed id, indicators' date_added) the last recorded pass went through."""
    detail = session.scalar(
        select(AuditRow.detail)
        .where(AuditRow.action == ACTION, AuditRow.outcome == "success")
        .order_by(AuditRow.seq.desc())
        .limit(1)
    )
    if not detail:
        return None, None
    through = detail.get("indicators_through")
    return detail.get("feed_through"), datetime.fromisoformat(through) if through else None


def run(
    ctx: audit.Context,
    doctrine: Doctrine,
    now: datetime | None = None,
    since: datetime | None = None,
) -> Pass:
    """One pass (see the module). ``since`` ignores the watermark: everything from then."""
    now = now or datetime.now(UTC)
    settled = now - timedelta(seconds=rules().settle_seconds)
    done = Pass()
    with session_factory(ctx.trail.engine)() as session:
        recorded = watermark(session)
        feed_after, indicators_after = (None, None) if since else recorded
        start = since or now - timedelta(days=rules().first_pass_days)
        incidents, feed_through = _changed(session, feed_after, start, settled)
        fresh, indicators_through = _new_indicators(session, indicators_after, start, settled)
        retro = retro_hunt(session, fresh, now - timedelta(days=rules().retro_hunt_days))
    # A pass from ``since`` never moves the recorded watermark back.
    done.feed_through = max((v for v in (feed_through, recorded[0]) if v is not None), default=None)
    latest = [v for v in (indicators_through, recorded[1]) if v is not None]
    done.indicators_through = max(latest).isoformat() if latest else None
    done.new_indicators = len(fresh)
    done.retro_incidents = len(retro - set(incidents))
    done.incidents = list(dict.fromkeys([*incidents, *sorted(retro)]))
    for start_at in range(0, len(done.incidents), rules().batch):
        _batch(ctx, doctrine, done.incidents[start_at : start_at + rules().batch], now, done)
    if not done.incidents and not fresh and done.feed_through == recorded[0]:
        return done  # nothing happened: no audit record
    with audit.recorded(ctx, ACTION, "incident") as rec:
        for obj in fresh:
            concerned = frozenset(sectors.of_object(obj))
            if concerned:
                tlp, rank = notify.marking_of(obj)
                notice = notify.Notice("indicator", obj["id"], obj, concerned, tlp, rank)
                done.notices += notify.tell_operators(rec.session, notice, now)
        rec.entry.detail = {
            "feed_through": done.feed_through,
            "indicators_through": done.indicators_through,
            "incidents": len(done.incidents),
            "new_indicators": done.new_indicators,
            "retro_incidents": done.retro_incidents,
            "sightings": done.sightings,
            "linked": done.linked,
            "notices": done.notices,
            "failed": done.failed[:50],
        }
    return done


def _changed(
    session: Session, after: int | None, start: datetime, settled: datetime
) -> tuple[list[str], int | None]:
    query = select(FeedRow.id, FeedRow.record_id, FeedRow.at).where(
        FeedRow.record_type == "incident", FeedRow.kind.in_(rules().triggers)
    )
    query = (
        query.where(FeedRow.id > after) if after is not None else query.where(FeedRow.at >= start)
    )
    rows = session.execute(query.order_by(FeedRow.id)).all()
    through = max((i for i, _, at in rows if _aware(at) <= settled), default=after)
    return list(dict.fromkeys(r for _, r, _ in rows)), through


def _new_indicators(
    session: Session, after: datetime | None, start: datetime, settled: datetime
) -> tuple[list[dict[str, Any]], datetime | None]:
    query = select(CtiObjectRow.body, CtiObjectRow.date_added).where(
        CtiObjectRow.stix_type == "indicator",
        CtiObjectRow.latest.is_(True),
        CtiObjectRow.revoked.is_(False),
        CtiObjectRow.date_added > (after or start),
    )
    rows = session.execute(query.order_by(CtiObjectRow.date_added)).all()
    through = max((_aware(at) for _, at in rows if _aware(at) <= settled), default=None)
    return [json.loads(body) for body, _ in rows], through


def retro_hunt(session: Session, fresh: Sequence[dict[str, Any]], since: datetime) -> set[str]:
    """Incidents with a recent report that some new indicator matches."""
    by_key: dict[tuple[str, str], list[tuple[dict[str, Any], Pattern]]] = {}
    for obj in fresh:
        pattern = index.pattern_of(obj)
        if pattern is None:
            continue
        for kind, value in pattern.keys:
            # Rule rows (LIKE, MATCHES) are found by kind alone, as in the index.
            key = (kind, "" if kind.startswith("~") else value)
            by_key.setdefault(key, []).append((obj, pattern))
    if not by_key:
        return set()
    query = (
        select(
            ReportRow.narrative,
            ReportRow.title,
            ReportRow.damage,
            ReportRow.source,
            ReportRow.objects,
            ReportRow.observed_at,
            MembershipRow.incident_id,
        )
        .join(MembershipRow, MembershipRow.report_id == ReportRow.id)
        .where(ReportRow.observed_at >= since)
    )
    found: set[str] = set()
    for *fields, observed_at, incident_id in session.execute(
        query.execution_options(yield_per=500)
    ):
        if incident_id in found:
            continue
        parts = texts(*fields)
        shown = observables.extract(parts)
        keys = index.lookup_keys(shown)
        suspects = {
            id(pair[0]): pair
            for kind, values in keys.items()
            for value in (values or {""})
            for pair in by_key.get((kind, value), [])
        }
        at = _aware(observed_at)
        seen = observables.seen(shown, parts, at)
        if any(index.in_force(o, at) and p.holds(seen) is not None for o, p in suspects.values()):
            found.add(incident_id)
    return found


def _batch(
    ctx: audit.Context, doctrine: Doctrine, incident_ids: list[str], now: datetime, done: Pass
) -> None:
    """Correlate a batch in one audited transaction; when it fails, each incident alone, so
    that one bad incident holds up no other."""
    try:
        _correlate(ctx, doctrine, incident_ids, now, done)
    except Exception:
        log.exception("CTI correlation of a batch failed; trying its incidents one by one")
        for incident_id in incident_ids:
            try:
                _correlate(ctx, doctrine, [incident_id], now, done)
            except Exception:
                log.exception("CTI correlation of incident %s failed", incident_id)
                done.failed.append(incident_id)


def _correlate(
    ctx: audit.Context, doctrine: Doctrine, incident_ids: list[str], now: datetime, done: Pass
) -> None:
    actor = ctx.principal.username
    with audit.recorded(ctx, "cti.correlate", "incident") as rec:
        matched = suspects(rec.session, incident_ids)
        outcomes = [
            correlate_incident(rec.session, doctrine, i, actor, now, matched[i])
            for i in incident_ids
            if i in matched
        ]
        rec.entry.detail = {
            "incidents": incident_ids[:200],
            "linked": [[o.incident_id, i] for o in outcomes for i in o.linked][:200],
            "sightings": sum(len(o.sightings) for o in outcomes),
            "notices": sum(o.notices for o in outcomes),
        }
    done.sightings += sum(len(o.sightings) for o in outcomes)
    done.linked += sum(len(o.linked) for o in outcomes)
    done.notices += sum(o.notices for o in outcomes)


@contextmanager
def background(
    ctx: audit.Context, doctrine: Callable[[], Doctrine], every_seconds: float
) -> Iterator[None]:
    """While the block runs, a pass every ``every_seconds`` from a background thread."""
    if every_seconds <= 0:
        yield
        return
    with periodic(
        "qalxan-cti-correlate",
        every_seconds,
        lambda: run(ctx, doctrine()),
        "CTI correlation failed; retrying at the next interval",
    ):
        yield
