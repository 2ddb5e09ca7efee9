"""Screening a CSV file of parties: a bulk check, e.g. a passenger or crew manifest before
arrival, a customer book, or an evaluation set.

Input: a header row, then one party per row. ``id`` and ``name`` are required; ``schema``
(``Person`` by default), ``birth_date`` (ISO), ``nationality`` (a country name or an ISO code),
``gender`` and ``id_number`` are optional, and all but ``id``, ``name`` and ``schema`` may hold
several values separated by ``;``. The whole file is read and checked before anything is
screened: a bad line is an :class:`InvalidInput` ``line N: column: reason``, and nothing is
written.

Output: rows ``query_id,rank,entity_id,list,source_id,caption,score``, the ``top`` best results
of each party at or above the threshold (the use's alert threshold unless given; ``0`` writes
the top results whatever their score).

A batch is a bulk check, not the screening of each party: it stores no subject, run or hit per
row (a manifest of thousands would flood the review queue with leads nobody asked to track).
It is audited as one ``screening.batch`` record with the file's name and SHA-256 and the counts
of queries and alerts; an officer screens a party of interest on its own to record a hit.

Queries are screened in worker processes forked once the index is built, so that they share
the index page for page; the matcher and the queries reach them through a module global set
before the fork, never pickled: a chunk goes out as a range of positions and comes back as
index positions and scores.
"""

from __future__ import annotations

import csv
import gc
import io
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from followthemoney.types import registry

from qalxan import collector
from qalxan.access import audit, policy
from qalxan.errors import InvalidInput
from qalxan.screening import columns, lists, service, thresholds
from qalxan.screening.holder import IndexHolder
from qalxan.screening.matcher import Matcher
from qalxan.screening.model import SCHEMATA
from qalxan.screening.query import Query
from qalxan.screening.stretches import Stretches

ACTION = f"{service.RECORD_TYPE}.batch"
REQUIRED = ("id", "name")
OPTIONAL = ("schema", "birth_date", "nationality", "gender", "id_number")
OUTPUT = ("query_id", "rank", "entity_id", "list", "source_id", "caption", "score")
SEPARATOR = ";"
Progress = Callable[[int], None]


class Found(NamedTuple):
    """A result as a batch writes it (a match's features and explanation stay behind)."""

    entity_id: str
    list_code: str
    source_id: str
    caption: str
    score: float


# A found party as it crosses back from a worker process: its position in the index, and its
# score (the parent, which holds the same index, looks up the rest).
Ranked = list[tuple[int, float]]

# The matcher and the queries of worker processes: set before the fork, inherited, never
# pickled (a chunk is sent as its positions in the queries).
_worker_job: tuple[Matcher, list[Query]] | None = None


@dataclass(frozen=True)
class BatchOutcome:
    """``alerts``: results at or above ``alert_threshold`` (the use's); ``flagged``: the
    queries with at least one; ``rows``: the rows written (at or above ``threshold``)."""

    file: str
    sha256: str
    queries: int
    alerts: int
    flagged: int
    rows: int
    threshold: float
    alert_threshold: float
    seconds: float


def default_workers() -> int:
    return os.cpu_count() or 1


def read_queries(path: Path) -> list[Query]:
    """Every party of the CSV file ``path``, the whole file checked first."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path.name}: not UTF-8 ({error.reason})", "file") from error
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    queries: list[Query] = []
    seen: dict[str, int] = {}
    try:
        header = [column.strip() for column in next(reader, [])]
        columns.check_header(header, REQUIRED, OPTIONAL)
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in row):
                query = _query(header, row, line)
                if query.key in seen:
                    raise InvalidInput(
                        f"line {line}: id: {query.key!r} repeats line {seen[query.key]}", "id"
                    )
                seen[query.key] = line
                queries.append(query)
    except csv.Error as error:
        raise InvalidInput(f"line {reader.line_num}: {error}", "file") from error
    if not queries:
        raise InvalidInput(f"{path.name}: no parties to screen", "file")
    return queries


def _query(header: list[str], row: list[str], line: int) -> Query:
    where = f"line {line}"
    values = columns.values(header, row, where, REQUIRED)
    schema = values.get("schema") or "Person"
    if schema not in SCHEMATA:
        raise InvalidInput(
            f"{where}: schema: {schema!r} is not one of {', '.join(SCHEMATA)}", "schema"
        )
    births = _cleaned(
        values, "birth_date", registry.date.clean, "a date (YYYY, YYYY-MM or YYYY-MM-DD)", where
    )
    countries = _cleaned(
        values, "nationality", registry.country.clean, "a country (a name or an ISO code)", where
    )
    genders = _cleaned(values, "gender", registry.gender.clean, "male, female or other", where)
    if len(genders) > 1:
        raise InvalidInput(f"{where}: gender: one value only", "gender")
    ids = tuple(v.strip() for v in values.get("id_number", "").split(SEPARATOR) if v.strip())
    try:
        return Query(
            key=values["id"],
            names=(values["name"],),
            schema=schema,
            birth_dates=births,
            nationalities=countries,
            gender=genders[0] if genders else None,
            identifiers=ids,
        )
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error.message}", error.field) from error


def _cleaned(
    values: dict[str, str],
    column: str,
    clean: Callable[[str], str | None],
    expected: str,
    where: str,
) -> tuple[str, ...]:
    found = []
    for value in values.get(column, "").split(SEPARATOR):
        if not value.strip():
            continue
        cleaned = clean(value.strip())
        if cleaned is None:
            raise InvalidInput(f"{where}: {column}: {value.strip()!r} is not {expected}", column)
        found.append(cleaned)
    return tuple(found)


def screen_queries(
    matcher: Matcher,
    queries: Sequence[Query],
    *,
    top: int,
    floor: float,
    allowed: set[str] | None,
    workers: int,
    progress: Progress | None = None,
) -> list[list[Found]]:
    """The ``top`` best matches of each query on the lists ``allowed`` (None: every list),
    those at or above ``floor`` only, in the order of the queries.

    A party asked about more than once (the same names and facts under other ids: a
    counterparty in many transactions, a traveller on several manifests of one file) is
    screened once, and its results given to each of its rows."""
    asked = [_asked(query) for query in queries]
    first: dict[tuple[object, ...], Query] = {}
    for key, query in zip(asked, queries, strict=True):
        first.setdefault(key, query)
    # Parties with words in common side by side: a worker then meets fewer different words and
    # listed names than its share of the file holds, and its caches answer more of them.
    ordered = sorted(first, key=lambda key: _locality(first[key]))
    rows = Counter(asked)
    found = _screen_distinct(
        matcher,
        [first[key] for key in ordered],
        [rows[key] for key in ordered],
        top,
        floor,
        allowed,
        workers,
        progress,
    )
    position = {key: number for number, key in enumerate(ordered)}
    return [list(found[position[key]]) for key in asked]


def _locality(query: Query) -> tuple[str, list[str]]:
    return query.schema, sorted(word for name in query.names for word in name.casefold().split())


def _asked(query: Query) -> tuple[object, ...]:
    """What of a query its matches depend on (all but the client's id)."""
    return (
        query.names,
        query.schema,
        query.birth_dates,
        query.nationalities,
        query.gender,
        query.identifiers,
    )


def _screen_distinct(
    matcher: Matcher,
    queries: list[Query],
    rows: list[int],
    top: int,
    floor: float,
    allowed: set[str] | None,
    workers: int,
    progress: Progress | None,
) -> list[list[Found]]:
    """:func:`screen_queries` of distinct queries; ``rows``: how many rows of the file each
    stands for (what the progress counts)."""
    plan = Stretches(len(queries), max(workers, 1))
    done: dict[int, list[Ranked]] = {}
    if workers <= 1 or len(plan) <= 1:
        while (taken := plan.take(0)) is not None:
            done[taken.start] = _screen(matcher, queries, taken, top, floor, allowed)
            if progress is not None:
                progress(sum(rows[taken.start : taken.stop]))
        return _found(matcher, done)
    global _worker_job
    _worker_job = (matcher, queries)
    try:
        # Out of the collector's sight: collections in the workers would otherwise touch (and
        # so copy, page by page) every object of the index inherited at the fork. The workers
        # collect nothing at all: screening leaves no cycles, and the collector's passes over
        # what a query allocates took a tenth of their time.
        with collector.frozen_for_fork():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=gc.disable
            ) as pool:
                running: dict[Future[list[Ranked]], tuple[range, int]] = {}
                # With as many chunks under way as workers, the one that has just finished
                # a chunk is the only one idle: it takes the next of that chunk's stretch.
                idle = list(range(len(plan)))
                while idle or running:
                    for stretch in idle:
                        taken = plan.take(stretch)
                        if taken is not None:
                            future = pool.submit(_screen_in_worker, taken, top, floor, allowed)
                            running[future] = (taken, stretch)
                    idle = []
                    if not running:
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        taken, stretch = running.pop(future)
                        done[taken.start] = future.result()
                        if progress is not None:
                            progress(sum(rows[taken.start : taken.stop]))
                        idle.append(stretch)
    finally:
        _worker_job = None
    return _found(matcher, done)


def _screen_in_worker(
    taken: range, top: int, floor: float, allowed: set[str] | None
) -> list[Ranked]:
    assert _worker_job is not None, "workers are forked after the job is set"
    matcher, queries = _worker_job
    return _screen(matcher, queries, taken, top, floor, allowed)


def _screen(
    matcher: Matcher,
    queries: list[Query],
    taken: range,
    top: int,
    floor: float,
    allowed: set[str] | None,
) -> list[Ranked]:
    return [matcher.ranked(queries[at], top, lists=allowed, floor=floor) for at in taken]


def _found(matcher: Matcher, done: dict[int, list[Ranked]]) -> list[list[Found]]:
    """The results of every chunk, in the order of the queries, as the batch writes them."""
    listed = matcher.index.entities
    found = []
    for start in sorted(done):
        for ranked in done[start]:
            parties = [(listed[at], score) for at, score in ranked]
            found.append([Found(e.id, e.list_code, e.source_id, e.caption, s) for e, s in parties])
    return found


def write_results(
    path: Path, queries: Sequence[Query], results: Sequence[Sequence[Found]], threshold: float
) -> int:
    """Write the results at or above ``threshold``; the number of rows written."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(OUTPUT)
        for query, matches in zip(queries, results, strict=True):
            kept = [m for m in matches if m.score >= threshold]
            for rank, match in enumerate(kept, 1):
                writer.writerow(
                    (
                        query.key,
                        rank,
                        match.entity_id,
                        match.list_code,
                        match.source_id,
                        match.caption,
                        f"{match.score:.4f}",
                    )
                )
            rows += len(kept)
    return rows


def run(
    ctx: audit.Context,
    holder: IndexHolder,
    source: Path,
    out: Path,
    *,
    use: str | None = None,
    top: int = 10,
    threshold: float | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    loaded: Callable[[int], None] | None = None,
) -> BatchOutcome:
    """Screen the parties of ``source`` into ``out`` (``screening:create``), on the lists that
    may serve ``use`` (every list: None). ``loaded`` is told the number of queries once the
    file is read and checked. ``out`` is only written when everything succeeded."""
    entry = audit.Entry(ACTION, service.RECORD_TYPE, detail={"file": source.name, "use": use})
    partial = out.with_name(f".{out.name}.partial")
    try:
        policy.require(ctx.principal, service.RECORD_TYPE, "create")
        alert = (
            thresholds.threshold(holder.settings, use)
            if use is not None
            else holder.settings.screening_threshold
        )
        cut = thresholds.checked(threshold) if threshold is not None else alert
        if not 1 <= top <= service.MAX_TOP:
            raise InvalidInput(f"top: between 1 and {service.MAX_TOP}", "top")
        queries = read_queries(source)
        digest = service.source_sha256(source)
        if loaded is not None:
            loaded(len(queries))
        current = holder.current()
        allowed = set(lists.lists_for(holder.engine, use)) if use is not None else None
        started = time.monotonic()
        results = screen_queries(
            current.matcher,
            queries,
            top=top,
            floor=min(cut, alert),
            allowed=allowed,
            workers=default_workers() if workers is None else workers,
            progress=progress,
        )
        seconds = time.monotonic() - started
        rows = write_results(partial, queries, results, cut)
        alerts = [sum(m.score >= alert for m in matches) for matches in results]
        outcome = BatchOutcome(
            source.name,
            digest,
            len(queries),
            sum(alerts),
            sum(1 for a in alerts if a),
            rows,
            cut,
            alert,
            seconds,
        )
    except Exception as exc:
        partial.unlink(missing_ok=True)
        audit.record_failure(ctx, entry, exc)
        raise
    entry.detail = {
        "file": outcome.file,
        "sha256": outcome.sha256,
        "use": use,
        "queries": outcome.queries,
        "alerts": outcome.alerts,
        "flagged": outcome.flagged,
        "threshold": cut,
        "alert_threshold": alert,
        "top": top,
        "content_version": current.version,
    }
    try:
        audit.record(ctx, entry)
    except Exception:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    return outcome
