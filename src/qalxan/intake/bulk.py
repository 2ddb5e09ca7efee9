"""Bulk import of report files: every row checked first (a bad line refuses the file, naming
the line, unless asked to skip bad lines), then stored in chunks, each chunk one transaction
with its audit record.

Every row carries a stable reference (see :mod:`qalxan.intake.sources`), and rows already
stored under their reference are skipped: running the same import twice, or again after it
was killed half-way, stores every report exactly once.
"""

from __future__ import annotations

import gc
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from qalxan import collector
from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput
from qalxan.intake import dedup
from qalxan.intake.batch import Batch
from qalxan.intake.candidates import Candidates
from qalxan.intake.classify import Classifier
from qalxan.intake.draft import Draft, check
from qalxan.intake.prepare import Prepared
from qalxan.intake.sources import Read, Unreadable
from qalxan.intake.stages import COLLECT_EVERY, Preparer, Writes
from qalxan.intake.store import Author, Writer, existing
from qalxan.intake.submit import check_objects
from qalxan.store.engine import driver, is_sqlite, session_factory

# Rows a transaction stores. On PostgreSQL, 1,000 imports about 6% faster than 500 (fewer
# statements, and the rollups' rows of a week or a month updated fewer times over); 2,000 is
# slower again (the first and the last chunks, typed and stored alone, take longer). The same
# on SQLite.
CHUNK = 1000
FIRST_CHUNK = 50
# Chunks read ahead of storing: enough to keep the workers busy. With one, a worker that
# finished its chunk while this process was storing waits for the next until this one has
# stored the one it finished too; with two, it has the next one already.
AHEAD = 2
# Chunks typed but not stored yet, at most: this process types chunks itself while the workers
# are behind, and stores them once the workers' chunks before them are done.
MAX_PENDING = 6


def default_workers() -> int:
    """Worker processes for typing and placing: one core is left to storing."""
    return max(0, (os.cpu_count() or 1) - 1)


MAX_ERRORS_SHOWN = 20


class Skipped(NamedTuple):
    """A row an import left out (with ``skip_invalid``): its line and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Outcome:
    rows: int = 0
    stored: int = 0
    repeated: int = 0
    joined: int = 0
    incidents: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class BadLines(InvalidInput):
    """A file with bad lines, refused before anything of it was stored: every problem, as
    ``line N: field: reason``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} bad line(s), nothing imported", "file")
        self.problems = problems


def validate(rows: Iterable[Read], now: datetime | None = None) -> list[str]:
    """Every problem of the file, as ``line N: field: reason`` (or one problem, when the file
    cannot be read at all)."""
    problems: list[str] = []
    now = now or datetime.now(UTC)
    try:
        for row in rows:
            if isinstance(row, Unreadable):
                problems.append(f"line {row.line}: {row.problem}")
                continue
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
    rows: Iterable[Read],
    *,
    origin: str,
    rules: dedup.Rules | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    workers: int = 0,
    check: Callable[[], list[str]] | None = None,
) -> Outcome:
    """Store the rows (validated before, checked by ``check``, or with ``skip_invalid``) for the
    caller's agency.

    With ``workers``, typing and placing (the CPU-bound part) run in that many worker processes
    while this one stores the chunk before: a pipeline, so the database never waits for them.

    ``check`` finds the problems of the whole file (:func:`validate`): it runs while the
    workers type the first chunks, and any problem it finds stops the import with
    :class:`BadLines` before anything is stored.
    """
    principal = ctx.principal
    if principal.agency_id is None:
        raise InvalidInput("agency: an import needs an agency to report for", "agency")
    policy.require(principal, "report", "create")
    author = Author(
        principal.agency_id, principal.unit_id, principal.user_id, principal.username, origin
    )
    outcome = Outcome()
    started = time.perf_counter()
    rules = rules or dedup.Rules()
    writer: Writer | None = None
    seen: set[str] = set()
    chunks = 0
    # SQLite runs in this process: its writes are this process's work, and whenever this
    # process would wait for the workers, the machine has a core to spare (it types a chunk
    # itself then). PostgreSQL's server works in a process of its own: the chunks are written
    # from a thread while this process goes on, and the server takes the core this process
    # leaves.
    in_process = is_sqlite(str(ctx.trail.engine.url))
    with (
        collector.paused(),
        Preparer(classifier, workers) as preparer,
        Writes(threaded=not in_process) as writes,
    ):
        pending: deque[tuple[list[Read], Future[list[Prepared]]]] = deque()
        unchecked = check

        def checked() -> None:
            """The whole file checked, the first time: nothing is stored before it passes."""
            nonlocal unchecked
            if unchecked is not None:
                problems, unchecked = unchecked(), None
                if problems:
                    raise BadLines(problems)

        def store_next() -> None:
            nonlocal writer, chunks
            checked()
            done, future = pending.popleft()
            prepared = future.result()
            writer = _store(ctx, doctrine, done, prepared, author, rules, writer, outcome, writes)
            _advance(outcome, done, progress)
            chunks += 1
            if chunks % COLLECT_EVERY == 0:
                gc.collect()

        source = _chunks(rows, CHUNK)

        def read_next(here: bool) -> bool:
            try:
                chunk = next(source, None)
                if chunk is None:
                    return False
                fresh = _select(ctx, doctrine, chunk, author, seen, skip_invalid, outcome)
            except InvalidInput:
                checked()  # names every bad line, not only the first
                raise
            pending.append((chunk, preparer.submit(fresh, here=here)))
            return True

        more = True
        while more or pending:
            typing = sum(1 for _, future in pending if not future.done())
            if more and preparer.pool is not None and typing < AHEAD:
                more = read_next(here=False)  # the workers first: they never wait
            elif unchecked is not None:
                checked()  # while the workers type the first chunks
            elif pending and pending[0][1].done():
                store_next()  # in order
            elif more and (preparer.pool is None or (in_process and len(pending) < MAX_PENDING)):
                # The workers have enough to do and the oldest chunk is not typed yet: rather
                # than wait for it, this process types the next one itself.
                more = read_next(here=True)
            else:
                store_next()  # waits for the oldest
        writes.wait()
        writer = None  # let go of, before the collector is back
    outcome.seconds = time.perf_counter() - started
    return outcome


def _advance(outcome: Outcome, chunk: list[Read], progress: Callable[[int], None] | None) -> None:
    outcome.rows += len(chunk)
    if progress is not None:
        progress(len(chunk))


def _select(
    ctx: audit.Context,
    doctrine: Doctrine,
    chunk: list[Read],
    author: Author,
    seen: set[str],
    skip_invalid: bool,
    outcome: Outcome,
) -> list[Draft]:
    """The checked drafts of a chunk that are not stored yet (nor earlier in this file)."""
    now = datetime.now(UTC)
    refs = [r.draft.origin_ref or "" for r in chunk if not isinstance(r, Unreadable)]
    with session_factory(ctx.trail.engine)() as session:
        stored = existing(session, author.origin, refs)
    fresh = []
    # The markings the caller may create (checked once each: a file has a few).
    allowed: set[str] = set()
    for row in chunk:
        if isinstance(row, Unreadable):
            if not skip_invalid:
                raise InvalidInput(f"line {row.line}: {row.problem}", row.field)
            outcome.skipped.append(Skipped(row.line, row.problem))
            continue
        ref = row.draft.origin_ref or ""
        if ref in stored or ref in seen:
            outcome.repeated += 1
            continue
        seen.add(ref)
        try:
            draft = check(row.draft, now)
            if draft.classification not in allowed:
                _check_marking(ctx, draft.classification)
                allowed.add(draft.classification)
            check_objects(doctrine, draft)
        except InvalidInput as exc:
            if not skip_invalid:
                raise InvalidInput(f"line {row.line}: {exc.message}", exc.field) from exc
            outcome.skipped.append(Skipped(row.line, exc.message))
            continue
        fresh.append(draft)
    return fresh


def _store(
    ctx: audit.Context,
    doctrine: Doctrine,
    chunk: list[Read],
    prepared: list[Prepared],
    author: Author,
    rules: dedup.Rules,
    writer: Writer | None,
    outcome: Outcome,
    writes: Writes,
) -> Writer:
    """Store a chunk in one transaction; the writer goes on from chunk to chunk, holding the
    incidents (and the index of open ones) that later reports may join.

    The chunk's reports are matched and routed here while the chunk before is written (see
    :class:`~qalxan.intake.stages.Writes`); its rows are then written, in order, after that
    one."""
    lines = f"{chunk[0].line}-{chunk[-1].line}"
    now = datetime.now(UTC)
    try:
        # Reads only (the open incidents, any incident joined that the writer let go of):
        # what the chunks before wrote, or the writer holds itself.
        with session_factory(ctx.trail.engine)() as session:
            if writer is None:
                writer = Writer(session, doctrine, rules, now, Candidates(rules))
            else:
                if writer.full():
                    writes.wait()  # the incidents it lets go of are read back as written
                writer.resume(session, now)
            writer.prefetch(prepared)
            stored = [writer.add(p, author) for p in prepared]
            batch = writer.batch()
    except Exception as exc:
        # As the chunk's transaction would have: its failure is recorded, after the chunk
        # before (whose write goes on meanwhile) in the trail.
        try:
            writes.wait()
        finally:
            audit.record_failure(ctx, audit.Entry("report.import", "report"), exc)
        raise
    outcome.stored += len(stored)
    outcome.joined += sum(1 for s in stored if s.joined)
    outcome.incidents += sum(1 for s in stored if not s.joined)
    detail = {
        "origin": author.origin,
        "lines": lines,
        "stored": len(stored),
        "reports": [s.report_id for s in stored],
    }
    writes.submit(partial(_write, ctx, batch, detail))
    return writer


def _write(ctx: audit.Context, batch: Batch, detail: dict[str, Any]) -> None:
    """A chunk's rows and its audit record, in one transaction."""
    with audit.recorded(ctx, "report.import", "report") as rec:
        _commit_without_waiting(rec.session)
        batch.write(rec.session)
        rec.entry.detail = detail


def _commit_without_waiting(session: Session) -> None:
    """PostgreSQL: this chunk's commit does not wait for its log to reach the disk.

    Safe for an import: a crash of the server loses at most the chunks committed in its last
    fraction of a second (whole chunks, never the database's consistency), and running the
    import again stores exactly those again, as it stores any chunk a killed import did not
    reach. SQLite has no such setting
    worth its cost here (its log is not flushed per commit in WAL mode with ``NORMAL``)."""
    db = driver(session)
    if not db.sqlite:
        db.execute("SET LOCAL synchronous_commit TO OFF")


def _check_marking(ctx: audit.Context, classification: str) -> None:
    rank = scheme().classification(classification).rank
    policy.check_create(ctx.principal, "report", None, rank)


def _chunks(rows: Iterable[Read], size: int) -> Iterator[list[Read]]:
    """Chunks of ``size`` rows, after a few smaller ones and before a few smaller ones: while
    the first chunk is typed nothing can be stored, and once the last one is typed nothing is
    left to type while it is stored; small ones keep both waits short."""
    iterator = iter(rows)
    smallest = step = min(FIRST_CHUNK, size)
    chunk = list(islice(iterator, step))
    while chunk:
        step = min(step * 2, size)
        following = list(islice(iterator, step))
        if not following:
            break
        yield chunk
        chunk = following
    # The last rows, in halves: each is stored while the next is typed.
    while len(chunk) > smallest:
        half = (len(chunk) + 1) // 2
        yield chunk[:half]
        chunk = chunk[half:]
    if chunk:
        yield chunk
