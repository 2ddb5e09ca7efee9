"""Screening speed at scale: the real lists padded to 100,000 and 1,000,000 names.

Padding: the 50,000 synthetic persons of ``negatives_global.csv`` (with their birth dates,
genders and nationalities), then persons whose names recombine the given and family names of
the real lists' persons at random (seeded). Queries: held-out-free real aliases and negatives,
screened one at a time (latency) and as a batch over worker processes (throughput).
"""

from __future__ import annotations

import csv
import gc
import random
import resource
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import Row, percentile
from qalxan.screening import batch
from qalxan.screening.index import Index
from qalxan.screening.matcher import Matcher
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.query import Query

QUERIES = 1000
BATCH = 20_000
BATCH_RUNS = 3
SEED = 7


def padded(entries: list[ListEntry], negatives: Path, names: int) -> Iterator[ListEntry]:
    """The entries, then padding persons until about ``names`` names (made as they are read,
    as the store streams them: the whole padded list is never in memory)."""
    yield from entries
    count = sum(1 + len(e.entity.get("alias")) for e in entries)
    for entry in _negatives(negatives):
        if count >= names:
            return
        yield entry
        count += 1
    givens, families = _parts(entries)
    rng = random.Random(SEED)
    number = 0
    while count < names:
        entity = new_entity("Person", "padding", f"r{number}")
        entity.add("name", f"{rng.choice(givens)} {rng.choice(givens)} {rng.choice(families)}")
        yield ListEntry("padding", f"r{number}", entity)
        number += 1
        count += 1


def _negatives(path: Path) -> Iterator[ListEntry]:
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            entity = new_entity("Person", "padding", f"n{number}")
            entity.add("name", row["full_name"])
            entity.add("birthDate", row["date_of_birth"] or None)
            entity.add("gender", row["gender"] or None)
            yield ListEntry("padding", f"n{number}", entity)


def _parts(entries: list[ListEntry]) -> tuple[list[str], list[str]]:
    givens, families = set(), set()
    for entry in entries:
        for name in entry.entity.get("name"):
            words = name.split()
            if entry.schema == "Person" and len(words) >= 2:
                givens.add(words[0])
                families.add(words[-1])
    return sorted(givens), sorted(families)


def queries(entries: list[ListEntry], count: int) -> list[Query]:
    rng = random.Random(SEED)
    names = [(alias, e.schema) for e in entries for alias in e.entity.get("alias")]
    return [Query(str(i), (n,), schema=s) for i, (n, s) in enumerate(rng.choices(names, k=count))]


def measure(
    real: list[ListEntry],
    source: Iterator[ListEntry],
    label: str,
    latency_target: float,
    workers: int,
) -> list[Row]:
    """Build from ``source``; screen aliases of the ``real`` entries."""
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    index = Index.build(source)
    built = time.perf_counter() - started
    peak = _peak_mb()
    matcher = Matcher(index)
    asked = queries(real, QUERIES)
    for query in asked[:100]:
        matcher.match(query)
    times = []
    for query in asked:
        started = time.perf_counter()
        matcher.match(query)
        times.append((time.perf_counter() - started) * 1000)
    rows = [
        Row(
            f"screening one query, {label} names",
            f"p50 {percentile(times, 50):.2f} ms, p99 {percentile(times, 99):.2f} ms",
            f"p99 <= {latency_target:g} ms",
            percentile(times, 99) <= latency_target,
            f"{index.size:,} names indexed; {QUERIES} real aliases, one at a time, one core",
        ),
        Row(
            f"screening index build, {label} names",
            f"{built:.1f} s, peak {peak:,.0f} MB ({peak - before:+,.0f} MB)",
            "1,000,000 names <= 60 s in <= 2 GB" if index.size >= 900_000 else "(reported)",
            built <= 60 and peak <= 2048 if index.size >= 900_000 else None,
            "from FollowTheMoney entries streamed as from the store; peak resident memory "
            "of the benchmark process (and its growth during the build)",
        ),
    ]
    if workers:
        many = queries(real, BATCH)
        # Without the repeats of the draw: each party screened once, as a file of different
        # parties would be (the batch screens a repeated party once).
        distinct = list({(q.names, q.schema): q for q in many}.values())
        for asked, label_of, target in (
            (distinct, "different parties", True),
            (many, "with repeats", False),
        ):
            # The machine's speed varies from run to run: the median of a few runs.
            rates = []
            for _ in range(BATCH_RUNS):
                started = time.perf_counter()
                batch.screen_queries(
                    matcher, asked, top=10, floor=0.0, allowed=None, workers=workers
                )
                rates.append(len(asked) / (time.perf_counter() - started))
            rate = statistics.median(rates)
            rows.append(
                Row(
                    f"screening batch, {label} names, {label_of}",
                    f"{rate:,.0f} queries/s ({min(rates):,.0f} to {max(rates):,.0f})",
                    ">= 5,000 queries/s" if target else "(reported)",
                    rate >= 5000 if target else None,
                    f"{len(asked):,} queries"
                    + (
                        ""
                        if target
                        else f" ({len(distinct):,} different: a repeated party is screened once)"
                    )
                    + f", {workers} worker processes forked after the build; the median (and "
                    f"range) of {BATCH_RUNS} runs",
                )
            )
    return rows


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
