"""Received CAP alerts into the platform: each stored once as a received alert, and each hazard
in Azerbaijan turned into a hazard incident through the intake's bulk import.

::

    ingest_document(ctx, doctrine, classifier, data, name, origin=...)  a CAP file, an EDXL-DE
                                        envelope or a feed (linked documents via ``linked``)
    ingest(ctx, doctrine, classifier, received, origin=...)             alerts already read

Alerts are taken oldest first, in batches. For each batch: the alerts stored before (same
sender and identifier) are counted and left alone; each new one is judged
(:func:`qalxan.alerts.ingest_draft.verdict`); the hazards go to the intake as reports (typed,
placed, de-duplicated, graded, routed and audited there, as ``qalxan reports import`` and the
earthquake catalogues do, origin ``import:<agency>``); then, in one audited transaction
(``alert.receive``), the alerts are stored with the incident each became and their updates and
cancels applied. The reports are stored first and keyed by the alert, so a run cut short between
the two steps, run again, stores each report once and links it.

An alert the intake refuses (a ``sent`` in the future...) is rejected and not stored, so that a
later run tries it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from qalxan.access import audit, policy
from qalxan.alerts import ingest_draft
from qalxan.alerts.ingest_draft import NOT_ACTUAL, NOT_HAZARD, OUTSIDE, Verdict, cap_ref
from qalxan.alerts.ingest_rows import Owner, check_key, received_row, store, stored_keys
from qalxan.alerts.ingest_sources import Linked, Received, collect
from qalxan.alerts.model import Alert
from qalxan.alerts.rows import RECORD_TYPE, actor_of
from qalxan.alerts.tables import AlertRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Forbidden, InvalidInput
from qalxan.intake import bulk, dedup
from qalxan.intake.classify import Classifier
from qalxan.intake.sources import Row
from qalxan.intake.store import existing
from qalxan.store.engine import session_factory

BATCH = 500
ACTION = f"{RECORD_TYPE}.receive"


@dataclass
class Ingested:
    """What an ingest did: valid alerts read; stored now, and what became of them; stored
    before; rejected (``where: element: reason``); links not fetched. For a document, its
    kind (``alert``, ``envelope``, ``feed``) and its feed entries."""

    kind: str = ""
    entries: int = 0
    read: int = 0
    received: int = 0
    repeated: int = 0
    incidents: int = 0
    joined: int = 0
    outside: int = 0
    not_hazard: int = 0
    not_actual: int = 0
    superseded: int = 0
    cancelled: int = 0
    rejected: list[str] = field(default_factory=list)
    not_fetched: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_minute(self) -> float:
        return 60 * self.read / self.seconds if self.seconds else 0.0


def ingest_document(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    data: bytes,
    name: str,
    *,
    origin: str,
    linked: Linked | None = None,
    rules: dedup.Rules | None = None,
    progress: Callable[[int], None] | None = None,
    expect: Callable[[int], None] | None = None,
) -> Ingested:
    """Ingest every alert of a document called ``name`` (in messages) from ``origin``;
    ``expect`` is told how many valid alerts it holds before they are ingested."""
    started = time.perf_counter()
    found = collect(data, name, linked)
    if expect is not None:
        expect(len(found.alerts))
    done = ingest(
        ctx, doctrine, classifier, found.alerts, origin=origin, rules=rules, progress=progress
    )
    done.kind, done.entries = found.kind, found.entries
    done.rejected[:0] = found.rejected
    done.not_fetched += found.not_fetched
    done.seconds = time.perf_counter() - started
    return done


def ingest(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    received: Iterable[Received],
    *,
    origin: str,
    rules: dedup.Rules | None = None,
    progress: Callable[[int], None] | None = None,
) -> Ingested:
    """Store the alerts for the caller's agency, and make the hazards incidents."""
    started = time.perf_counter()
    _require(ctx)
    assert ctx.principal.agency_id is not None  # policy.require refused a caller without one
    owner = Owner(ctx.principal.agency_id, actor_of(ctx.principal), origin)
    run = _Run(ctx, doctrine, classifier, owner, rules or dedup.Rules())
    for batch in _batches(sorted(received, key=lambda item: item.alert.sent), BATCH):
        run.batch(batch)
        if progress is not None:
            progress(len(batch))
    run.done.seconds = time.perf_counter() - started
    return run.done


def _require(ctx: audit.Context) -> None:
    """Refuse (and audit the refusal) before anything is stored."""
    try:
        policy.require(ctx.principal, RECORD_TYPE, "create")
        if ctx.principal.agency_id is None:
            raise InvalidInput("agency: receiving alerts needs an agency to own them", "agency")
    except (Forbidden, InvalidInput) as exc:
        audit.record_failure(ctx, audit.Entry(ACTION, RECORD_TYPE), exc)
        raise


class _Run:
    def __init__(
        self,
        ctx: audit.Context,
        doctrine: Doctrine,
        classifier: Classifier,
        owner: Owner,
        rules: dedup.Rules,
    ) -> None:
        self.ctx, self.doctrine, self.classifier = ctx, doctrine, classifier
        self.owner, self.rules = owner, rules
        self.reports_origin = f"import:{owner.agency}"
        self.seen: set[tuple[str, str]] = set()
        self.done = Ingested()

    def batch(self, items: list[Received]) -> None:
        self.done.read += len(items)
        fresh = self._fresh(items)
        verdicts = [ingest_draft.verdict(item.alert) for item in fresh]
        refused, links = self._reports(verdicts)
        now = datetime.now(UTC)
        rows = []
        for n, (item, verdict) in enumerate(zip(fresh, verdicts, strict=True)):
            if n in refused:
                self.done.rejected.append(f"{item.where}: the intake refused it: {refused[n]}")
                self.seen.discard((item.alert.sender, item.alert.identifier))
                continue
            incident = links.get(cap_ref(item.alert)) if verdict.draft else None
            self._count(verdict)
            rows.append((received_row(item, self.owner, incident, now), item.alert))
        if rows:
            self._store(rows)

    def _fresh(self, items: list[Received]) -> list[Received]:
        keys = [(item.alert.sender, item.alert.identifier) for item in items]
        with session_factory(self.ctx.trail.engine)() as session:
            stored = stored_keys(session, keys)
        fresh = []
        for item, key in zip(items, keys, strict=True):
            if key in stored or key in self.seen:
                self.done.repeated += 1
                continue
            try:
                check_key(item.alert)
            except InvalidInput as exc:
                self.done.rejected.append(f"{item.where}: {exc.message}")
                continue
            self.seen.add(key)
            fresh.append(item)
        return fresh

    def _reports(self, verdicts: list[Verdict]) -> tuple[dict[int, str], dict[str, str]]:
        """Store the hazards' reports: the ones the intake refused (by position, with the
        reason), and the incident of each report stored (by reference)."""
        drafts = [Row(n + 1, v.draft) for n, v in enumerate(verdicts) if v.draft is not None]
        if not drafts:
            return {}, {}
        outcome = bulk.run(
            self.ctx,
            self.doctrine,
            self.classifier,
            drafts,
            origin=self.reports_origin,
            rules=self.rules,
            skip_invalid=True,
        )
        self.done.incidents += outcome.incidents
        self.done.joined += outcome.joined
        # A row's line is its verdict's position, from 1.
        refused = {skipped.line - 1: skipped.reason for skipped in outcome.skipped}
        refs = [row.draft.origin_ref or "" for row in drafts]
        with session_factory(self.ctx.trail.engine)() as session:
            found = existing(session, self.reports_origin, refs)
        return refused, {ref: incident for ref, (_, incident) in found.items()}

    def _count(self, verdict: Verdict) -> None:
        """Count a received alert by what became of it (a hazard's incident is counted by the
        intake's outcome: made or joined)."""
        self.done.received += 1
        self.done.outside += verdict.outcome == OUTSIDE
        self.done.not_hazard += verdict.outcome == NOT_HAZARD
        self.done.not_actual += verdict.outcome == NOT_ACTUAL

    def _store(self, rows: list[tuple[AlertRow, Alert]]) -> None:
        with audit.recorded(self.ctx, ACTION, RECORD_TYPE) as rec:
            policy.check_create(self.ctx.principal, RECORD_TYPE, None, 0)
            rec.entry.record_agency = self.owner.agency
            marked = store(rec.session, rows, self.owner)
            self.done.superseded += marked.superseded
            self.done.cancelled += marked.cancelled
            rec.entry.detail = {
                "origin": self.owner.origin,
                "stored": len(rows),
                "superseded": marked.superseded,
                "cancelled": marked.cancelled,
                "alerts": [row.id for row, _ in rows],
            }


def _batches(items: Iterable[Received], size: int) -> Iterator[list[Received]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
