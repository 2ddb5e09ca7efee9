"""The stages of a bulk import that run beside the process storing it: typing and placing in
worker processes (forked once the lexicon and the gazetteer are loaded), and writing the stored
chunks from a thread (see :mod:`qalxan.intake.bulk`)."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime

from qalxan import collector
from qalxan.intake import placing
from qalxan.intake.classify import Classifier
from qalxan.intake.draft import Draft
from qalxan.intake.prepare import Parts, Prepared, joined, parts_of, prepare_many

# The collector is paused while an import runs (see :mod:`qalxan.collector`); a collection every
# so many chunks keeps an import of millions of rows from piling up whatever cycles its
# libraries leave.
COLLECT_EVERY = 50


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


class Preparer:
    """Types and places chunks of drafts, in worker processes if there are any (this one
    stores meanwhile), else here."""

    def __init__(self, classifier: Classifier, workers: int) -> None:
        self.classifier = classifier
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self._frozen = ExitStack()

    def __enter__(self) -> Preparer:
        if self.workers > 0:
            self.pool = self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            # Not waiting for the workers to exit (a few hundredths of a second): the import
            # is done, the executor reaps them in its own thread.
            self.pool.shutdown(wait=False, cancel_futures=True)
            self._frozen.close()

    def submit(self, drafts: list[Draft], here: bool = False) -> Future[list[Prepared]]:
        """The drafts typed and placed, by a worker or (with no workers, or ``here``) by this
        process, at once."""
        if self.pool is None or here:
            done: Future[list[Prepared]] = Future()
            done.set_result(prepare_many(drafts, self.classifier))
            return done
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
        self._frozen.enter_context(collector.frozen_for_fork())
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


class Writes:
    """Writes the chunks one at a time, in order; on PostgreSQL in a thread of their own: while
    the server takes a chunk's rows, the next chunk is matched and routed here. One write at a
    time: a chunk is submitted once the one before is written, and a failed write stops the
    import there, as it did before.

    SQLite writes here: its engine runs in this process, and lets go of the interpreter at
    every row it steps through, which, with this process's own work waiting for it, cost more
    than the overlap gained."""

    def __init__(self, threaded: bool) -> None:
        self.pool = (
            ThreadPoolExecutor(1, thread_name_prefix="qalxan-import-writes") if threaded else None
        )
        self.pending: Future[None] | None = None

    def __enter__(self) -> Writes:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            # Even when the import stops on an error: the chunk being written is committed
            # (or fails) before the error goes on, as it would have without the thread.
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown()

    def submit(self, write: Callable[[], None]) -> None:
        self.wait()
        if self.pool is None:
            write()
            return
        self.pending = self.pool.submit(write)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()
