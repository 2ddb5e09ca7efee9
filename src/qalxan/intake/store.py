"""Storing prepared reports: each joins an open incident about the same event or starts a new
one, which is graded and routed. One code path for a single submission and for a bulk import.

A :class:`Writer` works inside the caller's transaction and keeps the incidents it touches in
memory, so that reports of one chunk find each other; :meth:`Writer.flush` writes everything
with bulk statements.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from qalxan.access.markings import scheme
from qalxan.doctrine.registry import Doctrine
from qalxan.intake import dedup, encoded, routed, routing, severity
from qalxan.intake.batch import Batch, changes
from qalxan.intake.candidates import Candidates
from qalxan.intake.draft import Draft
from qalxan.intake.gathered import Gathered
from qalxan.intake.held import Held, read_back
from qalxan.intake.prepare import Prepared
from qalxan.intake.tables import (
    MembershipRow,
    ReportRow,
)
from qalxan.intake.taxonomy import taxonomy
from qalxan.picture import rollup
from qalxan.picture.contribution import contribution
from qalxan.store.ids import new_id

MAX_CANDIDATES = 200
# Incidents a bulk import's writer keeps between chunks.
HELD_INCIDENTS = 50_000
TITLE_LENGTH = 120


@dataclass(frozen=True)
class Author:
    """Who a report comes from."""

    agency_id: str
    unit_id: str | None
    user_id: str | None
    actor: str
    origin: str = "api"


@dataclass(frozen=True)
class Stored:
    report_id: str
    incident_id: str
    joined: bool
    repeated: bool
    reason: dict[str, Any]


class Writer:
    def __init__(
        self,
        session: Session,
        doctrine: Doctrine,
        rules: dedup.Rules,
        now: datetime,
        candidates: Candidates | None = None,
    ) -> None:
        self.session = session
        self.doctrine = doctrine
        self.rules = rules
        self._incidents: dict[str, Held] = {}
        # A bulk import shares one index across its chunks (see Candidates.load).
        self.candidates = candidates or Candidates(rules)
        self.gathered = Gathered(now)

    @property
    def now(self) -> datetime:
        """The time of the chunk being stored (its rows' times)."""
        return self.gathered.now

    def resume(self, session: Session, now: datetime) -> None:
        """Go on in another transaction (the next chunk of an import, after :meth:`flush`),
        keeping the incidents held so far: a report joining one of them reads nothing back."""
        self.session = session
        self.gathered.restart(now)
        if len(self._incidents) > HELD_INCIDENTS:
            # The oldest half goes; they are read back if a report joins them after all.
            for incident_id in list(islice(self._incidents, len(self._incidents) // 2)):
                del self._incidents[incident_id]

    # -- reports --------------------------------------------------------------------------
    def prefetch(self, prepared: list[Prepared]) -> None:
        """Load the open incidents these reports may join (one query for a whole chunk)."""
        self.candidates.load(self.session, [p.sighting for p in prepared])

    def add(self, prepared: Prepared, author: Author) -> Stored:
        draft = prepared.draft
        origin_ref = draft.origin_ref or new_id()
        report_id = new_id()
        report = self._report_row(report_id, prepared, author, origin_ref)
        self.gathered.report(report)
        sighting = prepared.sighting
        match = None
        if self._may_join(draft, author):
            near = {
                incident_id: entry.sighting
                for incident_id, entry in self.candidates.near(sighting).items()
                if _shareable(entry.tlp, entry.owner, author)
            }
            match = dedup.best(sighting, near, self.rules)
        if match is not None:
            incident_id, found = match
            self._join(incident_id, report, prepared, author, found.reason)
            return Stored(report_id, incident_id, True, False, found.reason)
        incident_id = self._create(report, prepared, author)
        self.gathered.member(report_id, incident_id, encoded.NEW_INCIDENT_REASON, author.actor)
        return Stored(report_id, incident_id, False, False, dict(encoded.NEW_INCIDENT))

    def existing(self, origin: str, refs: list[str]) -> dict[str, tuple[str, str]]:
        return existing(self.session, origin, refs)

    def _report_row(
        self, report_id: str, prepared: Prepared, author: Author, origin_ref: str
    ) -> dict[str, Any]:
        draft, placement = prepared.draft, prepared.placement
        return {
            "id": report_id,
            "owner_agency": author.agency_id,
            "owner_unit": author.unit_id,
            "classification": scheme().classification(draft.classification).rank,
            "tlp": draft.tlp,
            "origin": author.origin,
            "origin_ref": origin_ref,
            "reporter_id": author.user_id,
            "observed_at": draft.observed_at,
            "reported_at": draft.reported_at or self.now,
            "received_at": self.now,
            "event_type": prepared.event_type,
            "typed_by": prepared.typed_by,
            "typing": prepared.typing,
            "title": draft.title,
            "narrative": draft.narrative,
            "language": prepared.language,
            "place_text": placement.place_text,
            "lat": placement.lat,
            "lon": placement.lon,
            "country": placement.country,
            "admin1": placement.admin1,
            "location_precision": placement.precision,
            "location": encoded.encoded(placement.as_dict()),
            "source": draft.source,
            "source_reliability": draft.source_reliability,
            "info_credibility": draft.info_credibility,
            "killed": draft.killed,
            "injured": draft.injured,
            "missing": draft.missing,
            "damage": draft.damage,
            "objects": (
                encoded.encoded([o.as_dict() for o in draft.objects])
                if draft.objects
                else encoded.NOTHING
            ),
        }

    # -- matching -------------------------------------------------------------------------
    def _may_join(self, draft: Draft, author: Author) -> bool:
        # A RED report is for named people only: it never joins (and so never reveals) an
        # incident that others can see.
        return draft.tlp != "RED"

    # -- incidents ------------------------------------------------------------------------
    def _create(self, report: dict[str, Any], prepared: Prepared, author: Author) -> str:
        kind = taxonomy().by_code[prepared.event_type]
        placement = prepared.placement
        incident_id = new_id()
        facts = severity.Facts(
            event_type=kind.code,
            killed=report["killed"],
            injured=report["injured"],
            missing=report["missing"],
            pipeline_km=placement.pipeline_km,
            pipeline=placement.pipeline,
            border_zone=placement.border_zone,
            offshore=placement.offshore,
        )
        level, reasons = encoded.graded(facts)
        row = {
            "id": incident_id,
            "owner_agency": author.agency_id,
            "owner_unit": author.unit_id,
            "classification": report["classification"],
            "tlp": report["tlp"],
            "title": _title(prepared),
            "event_type": kind.code,
            "public_event": kind.public_event,
            "status": "open",
            "first_observed": report["observed_at"],
            "last_observed": report["observed_at"],
            "severity": level,
            "severity_reasons": reasons,
            "killed": report["killed"],
            "injured": report["injured"],
            "report_count": 1,
            "fingerprint": " ".join(sorted(prepared.words)),
            "place_text": placement.place_text,
            "lat": placement.lat,
            "lon": placement.lon,
            "country": placement.country,
            "admin1": placement.admin1,
            "location_precision": placement.precision,
            "place_facts": encoded.place_facts(placement),
            "created_at": self.now,
            "updated_at": self.now,
        }
        where = routing.Where(placement.border_zone, placement.offshore, placement.nakhchivan)
        held = Held(row, prepared.sighting, set(), True, facts=facts, where=where)
        self._incidents[incident_id] = held
        self.candidates.put(incident_id, held.sighting, row["owner_agency"], row["tlp"])
        plan = self._route(held, author)
        # One event says both: the incident began, and where it went (the timeline shows
        # the agencies with their roles).
        self.gathered.event(
            incident_id, "created", encoded.created(report["id"], plan.roles), author.actor
        )
        self._share_report(report, held)
        self.gathered.feed("incident.created", row)
        return incident_id

    def _join(
        self,
        incident_id: str,
        report: dict[str, Any],
        prepared: Prepared,
        author: Author,
        reason: dict[str, Any],
    ) -> None:
        held = self._incidents.get(incident_id) or self._load(incident_id)
        row = held.row
        observed = report["observed_at"]
        row["first_observed"] = min(row["first_observed"], observed)
        row["last_observed"] = max(row["last_observed"], observed)
        row["report_count"] += 1
        # Two agencies reporting one event report the same dead: take the highest count.
        row["killed"] = max(row["killed"], report["killed"])
        row["injured"] = max(row["injured"], report["injured"])
        row["classification"] = max(row["classification"], report["classification"])
        if row["lat"] is None and report["lat"] is not None:
            for key in ("lat", "lon", "admin1", "country", "place_text", "location_precision"):
                row[key] = report[key]
        words = set(row["fingerprint"].split()) | prepared.words
        row["fingerprint"] = " ".join(sorted(words)[: dedup.FINGERPRINT_WORDS * 2])
        row["updated_at"] = self.now
        held.sighting = replace(
            held.sighting,
            first=row["first_observed"],
            last=row["last_observed"],
            lat=row["lat"],
            lon=row["lon"],
            admin1=row["admin1"],
            words=frozenset(row["fingerprint"].split()),
        )
        self.candidates.put(incident_id, held.sighting, row["owner_agency"], row["tlp"])
        facts = held.facts or severity.Facts(event_type=row["event_type"])
        held.facts = replace(
            facts,
            killed=row["killed"],
            injured=row["injured"],
            reports=row["report_count"],
        )
        graded = severity.assess(held.facts)
        if graded.level != row["severity"]:
            self.gathered.event(
                incident_id,
                "severity",
                {"from": row["severity"], "to": graded.level, "report": report["id"]},
                author.actor,
            )
        row["severity"] = graded.level
        row["severity_reasons"] = list(graded.reasons)
        held.changed = True
        self.gathered.member(report["id"], incident_id, reason, author.actor)
        self.gathered.event(
            incident_id, "joined", {"report": report["id"], "reason": reason}, author.actor
        )
        if author.agency_id not in held.routed:
            step = routed.reporting(
                author.agency_id, row["severity"], row["tlp"], row["owner_agency"]
            )
            self._route_step(held, step, author)
        self._share_report(report, held)
        self.gathered.feed("incident.updated", row)

    def _load(self, incident_id: str) -> Held:
        held = self._incidents[incident_id] = read_back(self.session, incident_id)
        return held

    # -- routing --------------------------------------------------------------------------
    def _route(self, held: Held, author: Author) -> routed.Plan:
        row = held.row
        found = routed.plan(
            self.doctrine,
            row["event_type"],
            held.where,
            author.agency_id,
            row["severity"],
            row["tlp"],
        )
        for step in found.steps:
            self._route_step(held, step, author)
        return found

    def _route_step(self, held: Held, step: routed.Step, author: Author) -> None:
        self.gathered.routing(held.row["id"], step, author.actor)
        held.routed.add(step.agency_id)

    def _share_report(self, report: dict[str, Any], held: Held) -> None:
        """Let the agencies the incident is routed to read a report of it."""
        if not routed.needs_share(report["tlp"]):
            return
        for agency_id in sorted(held.routed):
            if agency_id != report["owner_agency"]:
                self.gathered.share("report", report["id"], agency_id, "incident routed")

    def flush(self) -> None:
        """Write what was added: new incidents before the reports that join them, and what
        they change in the picture's rollups."""
        self.batch().write(self.session)

    def batch(self) -> Batch:
        """What was added since the last batch, taken out of the writer to be written (by
        :meth:`Batch.write`) while the writer goes on with the next reports: the incidents'
        rows as they stand now, which later reports may change again."""
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        counts: list[rollup.Change] = []
        for held in self._incidents.values():
            if held.new:
                new.append(dict(held.row))
            elif held.changed:
                changed.append(changes(held.row))
            else:
                continue
            now_counted = contribution(held.row)
            counts.append((held.counted, now_counted))
            held.counted = now_counted
            held.new = held.changed = False
        return Batch(new, changed, self.gathered.take(), counts)

    def full(self) -> bool:
        """Whether :meth:`resume` lets go of incidents (read back when a report joins them
        later: by then, whatever changed them must be written)."""
        return len(self._incidents) > HELD_INCIDENTS


def _title(prepared: Prepared) -> str:
    draft = prepared.draft
    if draft.title:
        return draft.title[:TITLE_LENGTH]
    first = draft.narrative.split(". ")[0].strip()
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1] + "…"


def _shareable(tlp: str | None, owner: str, author: Author) -> bool:
    """Whether a report of ``author`` may join this incident: joining shares the incident with
    the reporting agency, which its marking must allow."""
    return owner == author.agency_id or routed.agency_reach(tlp)


def existing(session: Session, origin: str, refs: list[str]) -> dict[str, tuple[str, str]]:
    """Reports already stored under these references: ref -> (report id, incident id)."""
    query = (
        select(ReportRow.origin_ref, ReportRow.id, MembershipRow.incident_id)
        .join(MembershipRow, MembershipRow.report_id == ReportRow.id)
        .where(ReportRow.origin == origin)
    )
    # PostgreSQL takes the references as one array: rendering a placeholder for each cost the
    # import more than the query itself. SQLite has no arrays.
    sqlite = session.get_bind().dialect.name == "sqlite"
    step = 500 if sqlite else 5000
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(refs), step):
        part = refs[start : start + step]
        among = (
            ReportRow.origin_ref.in_(part)
            if sqlite
            else ReportRow.origin_ref == any_(bindparam("refs", part, type_=ARRAY(String)))
        )
        rows = session.execute(query.where(among))
        found.update({ref: (rid, iid) for ref, rid, iid in rows})
    return found
