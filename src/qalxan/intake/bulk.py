"""Bulk import of report files: every row checked first (a bad line refuses the file, naming
the line, unless asked to skip bad lines), then stored in chunks, each chunk one transaction
with its audit record.

Every row carries a stable reference (see :mod:`qalxan.intake.sources`), and rows already
stored under their reference are skipped: running the same import twice, or again after it
was killed half-way, stores every report exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput
from qalxan.intake import dedup
from qalxan.intake.classify import Classifier
from qalxan.intake.draft import check
from qalxan.intake.prepare import prepare_many
from qalxan.intake.sources import Row
from qalxan.intake.store import Author, Writer

CHUNK = 500
MAX_ERRORS_SHOWN = 20


@dataclass
class Outcome:
    rows: int = 0
    stored: int = 0
    repeated: int = 0
    joined: int = 0
    incidents: int = 0
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def validate(rows: Iterable[Row], now: datetime | None = None) -> list[str]:
    """Every problem of the file, as ``line N: field: reason`` (reading stops at a line that
    cannot be read at all)."""
    problems: list[str] = []
    now = now or datetime.now(UTC)
    try:
        for row in rows:
            try:
                check(row.draft, now)
            except InvalidInput as exc:
                problems.append(f"line {row.line}: {exc.message}")
    except InvalidInput as exc:
        problems.append(exc.message)
    return problems


def run(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    rows: Iterable[Row],
    *,
    origin: str,
    rules: dedup.Rules | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Store the rows (already validated, or with ``skip_invalid``) for the caller's agency."""
    principal = ctx.principal
    if principal.agency_id is None:
        raise InvalidInput("agency: an import needs an agency to report for", "agency")
    policy.require(principal, "report", "create")
    author = Author(
        principal.agency_id, principal.unit_id, principal.user_id, principal.username, origin
    )
    outcome = Outcome()
    started = time.perf_counter()
    for chunk in _chunks(rows, CHUNK):
        _store(
            ctx, doctrine, classifier, chunk, author, rules or dedup.Rules(), skip_invalid, outcome
        )
        outcome.rows += len(chunk)
        if progress is not None:
            progress(len(chunk))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _store(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    chunk: list[Row],
    author: Author,
    rules: dedup.Rules,
    skip_invalid: bool,
    outcome: Outcome,
) -> None:
    now = datetime.now(UTC)
    lines = f"{chunk[0].line}-{chunk[-1].line}"
    with audit.recorded(ctx, "report.import", "report") as rec:
        rec.entry.detail = {"origin": author.origin, "lines": lines}
        writer = Writer(rec.session, doctrine, rules, now)
        seen = writer.existing(author.origin, [r.draft.origin_ref or "" for r in chunk])
        fresh = []
        for row in chunk:
            if row.draft.origin_ref in seen:
                outcome.repeated += 1
                continue
            # The same row twice in one file is stored once, like a re-run.
            seen[row.draft.origin_ref or ""] = ("", "")
            try:
                draft = check(row.draft, now)
                _check_marking(ctx, draft.classification)
            except InvalidInput as exc:
                if not skip_invalid:
                    raise InvalidInput(f"line {row.line}: {exc.message}", exc.field) from exc
                outcome.skipped.append(f"line {row.line}: {exc.message}")
                continue
            fresh.append(draft)
        prepared = prepare_many(fresh, classifier)
        writer.prefetch(prepared)
        stored = [writer.add(p, author) for p in prepared]
        writer.flush()
        outcome.stored += len(stored)
        outcome.joined += sum(1 for s in stored if s.joined)
        outcome.incidents += sum(1 for s in stored if not s.joined)
        rec.entry.detail.update(
            stored=len(stored),
            repeated=len(chunk) - len(fresh),
            reports=[s.report_id for s in stored],
        )


def _check_marking(ctx: audit.Context, classification: str) -> None:
    rank = scheme().classification(classification).rank
    policy.check_create(ctx.principal, "report", None, rank)


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
