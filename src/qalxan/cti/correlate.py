"""Correlating an incident's reports with the CERT's indicators.

For each report of the incident: its observables (:mod:`qalxan.cti.observables`) are looked
up in the index (:mod:`qalxan.cti.index`), and each indicator found is evaluated against what
that one report shows (:mod:`qalxan.cti.patterns`: the whole pattern must hold; an indicator
whose ``valid_until`` had passed when the report's activity was observed does not match). For
each indicator matched by some report:

- a sighting (:mod:`qalxan.cti.sightings`) is stored through :func:`qalxan.cti.store.put`,
  owned by the CERT, or a newer version of it when more reports show the indicator;
- the incident is linked to the indicator (:class:`CtiLinkRow`, kind ``sighting``);
- the first time, the CERT and the reporting agency are told, and subscribed operators of the
  sectors concerned (:mod:`qalxan.cti.notify`).

Correlating the same reports again stores nothing and tells no one. :func:`correlate_incident`
works inside the caller's transaction; its caller audits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.cti import index, markings, notify, observables, sectors, sightings, store
from qalxan.cti.correlation_rules import rules
from qalxan.cti.patterns import Proof
from qalxan.cti.tables import CtiLinkRow, CtiObjectRow
from qalxan.doctrine.registry import Doctrine
from qalxan.intake.tables import IncidentRow, MembershipRow, ReportRow

LINK_KIND = "sighting"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    """An indicator one report shows, and the proofs: which terms held on which values."""

    indicator_id: str
    indicator: dict[str, Any]
    report_id: str
    proofs: tuple[Proof, ...]

    def explain(self) -> list[str]:
        return [f"{p.term} held: the report shows {p.found_as!r}" for p in self.proofs]


@dataclass
class Outcome:
    incident_id: str
    matches: list[Match] = field(default_factory=list)
    sightings: list[str] = field(default_factory=list)  # sighting versions stored
    linked: list[str] = field(default_factory=list)  # indicators newly linked
    notices: int = 0  # outbox messages enqueued


def texts_of(report: ReportRow) -> list[str | None]:
    """What a report says: its narrative, title, damage, source and involved objects."""
    return texts(report.narrative, report.title, report.damage, report.source, report.objects)


def texts(*fields: Any) -> list[str | None]:
    parts: list[str | None] = [f for f in fields[:-1] if isinstance(f, str)]
    for obj in fields[-1] or []:
        if isinstance(obj, dict):
            parts += [str(obj.get("description") or ""), str(obj.get("identifier") or "")]
    return parts


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def matches(session: Session, reports: Sequence[ReportRow]) -> list[Match]:
    """Every (indicator, report) match among the reports, with its proofs."""
    found_in = {r.id: observables.extract(texts_of(r)) for r in reports}
    every = [o for found in found_in.values() for o in found]
    candidates = index.candidates(session, every) if every else []
    found: list[Match] = []
    for report in reports:
        if not found_in[report.id]:
            continue
        at = _aware(report.observed_at)
        seen = observables.seen(found_in[report.id], texts_of(report), at)
        for candidate in candidates:
            if not index.in_force(candidate.obj, at):
                continue
            proofs = candidate.pattern.holds(seen)
            if proofs is not None:
                found.append(Match(candidate.stix_id, candidate.obj, report.id, tuple(proofs)))
    return found


def reports_of(session: Session, incident_id: str) -> list[ReportRow]:
    query = (
        select(ReportRow)
        .join(MembershipRow, MembershipRow.report_id == ReportRow.id)
        .where(MembershipRow.incident_id == incident_id)
        .order_by(ReportRow.observed_at, ReportRow.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Found:
    """An incident's reports and their matches, read once for a whole batch."""

    reports: list[ReportRow]
    matches: list[Match]


def suspects(session: Session, incident_ids: Sequence[str]) -> dict[str, Found]:
    """The incidents among ``incident_ids`` that some indicator matches, with what was found:
    one read of their reports and one index lookup for all, so that a pass spends no more on
    the many incidents that match nothing."""
    query = (
        select(ReportRow, MembershipRow.incident_id)
        .join(MembershipRow, MembershipRow.report_id == ReportRow.id)
        .where(MembershipRow.incident_id.in_(list(incident_ids)))
        .order_by(ReportRow.observed_at, ReportRow.id)
    )
    rows = session.execute(query).all()
    incident_of = {report.id: incident for report, incident in rows}
    found: dict[str, Found] = {}
    for match in matches(session, [r for r, _ in rows]):
        incident_id = incident_of[match.report_id]
        if incident_id not in found:
            found[incident_id] = Found([r for r, i in rows if i == incident_id], [])
        found[incident_id].matches.append(match)
    return found


def correlate_incident(
    session: Session,
    doctrine: Doctrine,
    incident_id: str,
    actor: str,
    now: datetime | None = None,
    known: Found | None = None,
) -> Outcome:
    """Match the incident's reports; store sightings, links and notices (see the module).
    ``known``: its reports and matches, when :func:`suspects` read them already."""
    now = now or datetime.now(UTC)
    outcome = Outcome(incident_id)
    incident = session.get(IncidentRow, incident_id)
    if incident is None:
        return outcome
    if known is None:
        members = reports_of(session, incident_id)
        known = Found(members, matches(session, members))
    reports = {r.id: r for r in known.reports}
    outcome.matches = known.matches
    by_indicator: dict[str, list[Match]] = {}
    for match in outcome.matches:
        by_indicator.setdefault(match.indicator_id, []).append(match)
    linked = set(
        session.scalars(
            select(CtiLinkRow.stix_id).where(
                CtiLinkRow.incident_id == incident_id, CtiLinkRow.kind == LINK_KIND
            )
        )
    )
    for indicator_id, found in sorted(by_indicator.items()):
        shown = [reports[m.report_id] for m in found]
        sighting = _sight(session, doctrine, indicator_id, incident_id, shown, actor, now, outcome)
        if indicator_id in linked:
            continue
        session.add(
            CtiLinkRow(
                incident_id=incident_id,
                stix_id=indicator_id,
                kind=LINK_KIND,
                observable=found[0].proofs[0].value[:500] if found[0].proofs else None,
                sighting_id=sighting["id"],
                created_by=actor[:200],
                created_at=now,
            )
        )
        outcome.linked.append(indicator_id)
        notify.tell_agencies(session, incident, found[0].indicator, sighting["id"], actor, now)
        outcome.notices += _tell_operators(
            session, doctrine, found[0].indicator, sighting, shown, now
        )
    return outcome


def _sight(
    session: Session,
    doctrine: Doctrine,
    indicator_id: str,
    incident_id: str,
    shown: Sequence[ReportRow],
    actor: str,
    now: datetime,
    outcome: Outcome,
) -> dict[str, Any]:
    """The sighting as it now stands, storing a new version when the figures changed."""
    seen = [
        sightings.Seen(r.id, r.owner_agency, _aware(r.observed_at), r.tlp, r.classification)
        for r in shown
    ]
    stix_id = sightings.sighting_id(indicator_id, incident_id)
    previous = _latest(session, stix_id)
    body = sightings.build(indicator_id, incident_id, seen, previous, now)
    if body is None:
        assert previous is not None
        return previous
    agencies = sorted({s.agency_id for s in seen})
    objects = [
        markings.identity(),
        *(sightings.agency_identity(doctrine, agency) for agency in agencies),
        body,
    ]
    result = store.put(session, objects, agency=rules().cert_agency, actor=actor, now=now)
    for failure in result.failures:
        if failure.stix_id == stix_id:
            raise RuntimeError(f"sighting {stix_id} refused: {failure.reason}")
        log.info("context object %s not stored: %s", failure.stix_id, failure.reason)
    outcome.sightings.append(stix_id)
    return body


def _latest(session: Session, stix_id: str) -> dict[str, Any] | None:
    body = session.scalar(
        select(CtiObjectRow.body).where(CtiObjectRow.stix_id == stix_id, CtiObjectRow.latest)
    )
    found: dict[str, Any] | None = json.loads(body) if body else None
    return found


def _tell_operators(
    session: Session,
    doctrine: Doctrine,
    indicator: dict[str, Any],
    sighting: dict[str, Any],
    shown: Sequence[ReportRow],
    now: datetime,
) -> int:
    concerned = sectors.of_object(indicator)
    for report in shown:
        concerned |= sectors.of_report_objects(doctrine, report.objects or [])
    tlp, rank = notify.marking_of(indicator, sighting)
    notice = notify.Notice(
        "sighting", str(sighting["id"]), indicator, frozenset(concerned), tlp, rank
    )
    return notify.tell_operators(session, notice, now)
