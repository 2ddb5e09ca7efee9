"""Bulk import of report files: every row checked first (a bad line refuses the file, naming
the line, unless asked to skip bad lines), then stored in chunks, each chunk one transaction
with its audit record.

Every row carries a stable reference (see :mod:`qalxan.intake.sources`), and rows already
stored under their reference are skipped: running the same import twice, or again after it
was killed half-way, stores every report exactly once.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput
from qalxan.intake import dedup, placing
from qalxan.intake.candidates import Candidates
from qalxan.intake.classify import Classifier
from qalxan.intake.draft import Draft, check
from qalxan.intake.prepare import Parts, Prepared, joined, parts_of, prepare_many
from qalxan.intake.sources import Row
from qalxan.intake.store import Author, Writer, existing
from qalxan.intake.submit import check_objects
from qalxan.store.engine import driver, session_factory

CHUNK = 500
FIRST_CHUNK = 50
# Chunks read ahead of storing: enough to keep the workers busy. With one, a worker that
# finished its chunk while this process was storing waits for the next until this one has
# stored the one it finished too; with two, it has the next one already.
AHEAD = 2


def default_workers() -> int:
    """Worker processes for typing and placing: one core is left to storing."""
    return max(0, (os.cpu_count() or 1) - 1)


MAX_ERRORS_SHOWN = 20
# The garbage collector is paused while an import runs: its passes over what the import holds
# (the incidents, the index of open ones; in the workers, the caches of the lexicon and the
# gazetteer) cost a fifth of the CPU. Nothing of the import relies on it (reference counting
# frees what it drops), and a collection every so many chunks keeps an import of millions of
# rows from piling up whatever cycles its libraries leave.
COLLECT_EVERY = 50


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
    workers: int = 0,
) -> Outcome:
    """Store the rows (already validated, or with ``skip_invalid``) for the caller's agency.

    With ``workers``, typing and placing (the CPU-bound part) run in that many worker processes
    while this one stores the chunk before: a pipeline, so the database never waits for them.
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
    with _collector_paused(), _Preparer(classifier, workers) as preparer:
        pending: deque[tuple[list[Row], Future[list[Prepared]]]] = deque()

        def store_next() -> None:
            nonlocal writer, chunks
            done, future = pending.popleft()
            writer = _store(ctx, doctrine, done, future.result(), author, rules, writer, outcome)
            _advance(outcome, done, progress)
            chunks += 1
            if chunks % COLLECT_EVERY == 0:
                gc.collect()

        for chunk in _chunks(rows, CHUNK):
            fresh = _select(ctx, doctrine, chunk, author, seen, skip_invalid, outcome)
            pending.append((chunk, preparer.submit(fresh)))
            # Store, in order, what is ready; wait for the oldest only when far enough ahead.
            while pending and (pending[0][1].done() or len(pending) > AHEAD):
                store_next()
        while pending:
            store_next()
    outcome.seconds = time.perf_counter() - started
    return outcome


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _advance(outcome: Outcome, chunk: list[Row], progress: Callable[[int], None] | None) -> None:
    outcome.rows += len(chunk)
    if progress is not None:
        progress(len(chunk))


def _select(
    ctx: audit.Context,
    doctrine: Doctrine,
    chunk: list[Row],
    author: Author,
    seen: set[str],
    skip_invalid: bool,
    outcome: Outcome,
) -> list[Draft]:
    """The checked drafts of a chunk that are not stored yet (nor earlier in this file)."""
    now = datetime.now(UTC)
    refs = [r.draft.origin_ref or "" for r in chunk]
    with session_factory(ctx.trail.engine)() as session:
        stored = existing(session, author.origin, refs)
    fresh = []
    for row in chunk:
        ref = row.draft.origin_ref or ""
        if ref in stored or ref in seen:
            outcome.repeated += 1
            continue
        seen.add(ref)
        try:
            draft = check(row.draft, now)
            _check_marking(ctx, draft.classification)
            check_objects(doctrine, draft)
        except InvalidInput as exc:
            if not skip_invalid:
                raise InvalidInput(f"line {row.line}: {exc.message}", exc.field) from exc
            outcome.skipped.append(f"line {row.line}: {exc.message}")
            continue
        fresh.append(draft)
    return fresh


def _store(
    ctx: audit.Context,
    doctrine: Doctrine,
    chunk: list[Row],
    prepared: list[Prepared],
    author: Author,
    rules: dedup.Rules,
    writer: Writer | None,
    outcome: Outcome,
) -> Writer:
    """Store a chunk in one transaction; the writer goes on from chunk to chunk, holding the
    incidents (and the index of open ones) that later reports may join."""
    lines = f"{chunk[0].line}-{chunk[-1].line}"
    with audit.recorded(ctx, "report.import", "report") as rec:
        _commit_without_waiting(rec.session)
        now = datetime.now(UTC)
        if writer is None:
            writer = Writer(rec.session, doctrine, rules, now, Candidates(rules))
        else:
            writer.resume(rec.session, now)
        writer.prefetch(prepared)
        stored = [writer.add(p, author) for p in prepared]
        writer.flush()
        outcome.stored += len(stored)
        outcome.joined += sum(1 for s in stored if s.joined)
        outcome.incidents += sum(1 for s in stored if not s.joined)
        rec.entry.detail = {
            "origin": author.origin,
            "lines": lines,
            "stored": len(stored),
            "reports": [s.report_id for s in stored],
        }
    return writer


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


# The classifier of worker processes: inherited at fork, never pickled.
_worker_classifier: Classifier | None = None

_worker_chunks = 0


def _prepare_in_worker(drafts: list[Draft]) -> list[Parts]:
    """:func:`parts_of` the drafts: plain values, cheap to send back (the drafts themselves
    this process has already)."""
    global _worker_chunks
    assert _worker_classifier is not None
    _worker_chunks += 1
    if _worker_chunks % COLLECT_EVERY == 0:
        gc.collect()
    return parts_of(drafts, _worker_classifier)


class _Preparer:
    """Types and places chunks of drafts, in worker processes if there are any (this one
    stores meanwhile), else here."""

    def __init__(self, classifier: Classifier, workers: int) -> None:
        self.classifier = classifier
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Preparer:
        if self.workers > 0:
            self.pool = self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            gc.unfreeze()

    def submit(self, drafts: list[Draft]) -> Future[list[Prepared]]:
        if self.pool is None:
            here: Future[list[Prepared]] = Future()
            here.set_result(prepare_many(drafts, self.classifier))
            return here
        return _joined(drafts, self.pool.submit(_prepare_in_worker, drafts))

    def _start(self) -> ProcessPoolExecutor:
        global _worker_classifier
        _worker_classifier = self.classifier
        # Loaded before the fork, the lexicon, the gazetteer and the zones are shared, not
        # loaded per worker.
        prepare_many([Draft("warm up in Baku", datetime.now(UTC))], self.classifier)
        placing.warm()
        # Kept out of the collector's sight: collections no longer walk (and in the workers
        # no longer copy, page by page) the large tables loaded before the fork.
        gc.freeze()
        context = multiprocessing.get_context("fork")
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=gc.disable
        )


def _joined(drafts: list[Draft], parts: Future[list[Parts]]) -> Future[list[Prepared]]:
    """The worker's parts joined back to their drafts, as one future."""
    result: Future[list[Prepared]] = Future()

    def done(future: Future[list[Parts]]) -> None:
        if future.cancelled():
            result.cancel()
            return
        error = future.exception()
        if error is not None:
            result.set_exception(error)
            return
        result.set_result([joined(d, p) for d, p in zip(drafts, future.result(), strict=True)])

    parts.add_done_callback(done)
    return result


def _check_marking(ctx: audit.Context, classification: str) -> None:
    rank = scheme().classification(classification).rank
    policy.check_create(ctx.principal, "report", None, rank)


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
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
