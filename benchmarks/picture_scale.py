"""The threat picture over ten million stored incidents, on SQLite and PostgreSQL.

The store is filled once and kept (``var/bench/picture-N.sqlite`` and the PostgreSQL database
``qalxan_bench_picture_N``, N the number of incidents; a later run reuses it):
five years of synthetic incidents, every event type of the taxonomy, every district of the
gazetteer, a few abroad and unplaced, four classification levels. The incidents and their
rollups are written together, in chunks, through the product's own incremental path
(:func:`qalxan.picture.rollup.apply`), as the intake writes them.

Measured: the picture (levels nationally and per region, 26 weeks of trends, the map) as
:func:`qalxan.picture.view.compute` reads it, for readers of two clearances and several days;
and the cost the rollups add to one incident written on its own, in its own transaction.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import time as clock
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import Engine, create_engine, func, select, text

from benchmarks.common import Row, percentile
from qalxan.access.audit import Context
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.geo.data_files import load_gazetteer
from qalxan.intake.tables import IncidentRow
from qalxan.intake.taxonomy import taxonomy
from qalxan.picture import report, rollup, view
from qalxan.picture.contribution import contribution, watched
from qalxan.picture.register import Judgements
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from qalxan.store.rows import insert_rows

ROOT = Path(__file__).resolve().parents[1]
INCIDENTS = int(os.environ.get("QALXAN_BENCH_PICTURE_INCIDENTS", "10000000"))
CHUNK = 50_000
DAYS = 5 * 365
START = datetime(2021, 11, 20, tzinfo=UTC)
TODAY = (START + timedelta(days=DAYS - 1)).date()
PG_ADMIN = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
PG_NAME = f"qalxan_bench_picture_{INCIDENTS}"
PG_BENCH = f"postgresql+psycopg://postgres:postgres@127.0.0.1:5432/{PG_NAME}"
RUNS = 20
SINGLES = 500
TARGET_MS = 200.0


def run() -> list[Row]:
    rows = _measure("SQLite", _sqlite_url())
    if _postgres_up():
        rows += _measure("PostgreSQL", PG_BENCH)
    else:
        rows.append(Row("picture, PostgreSQL", "skipped", "", None, "no PostgreSQL on 5432"))
    return rows


def _sqlite_url() -> str:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'picture-{INCIDENTS}.sqlite'}"


def _postgres_up() -> bool:
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": PG_NAME}
            )
            if not exists:
                conn.execute(text(f"CREATE DATABASE {PG_NAME}"))
        admin.dispose()
        return True
    except Exception:  # no server: the PostgreSQL rows are skipped
        return False


def _measure(label: str, url: str) -> list[Row]:
    data = ROOT / "var" / "bench" / "picture-data"
    data.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=url, data_dir=data)
    engine = bootstrap(settings)
    fill = _fill(engine)
    threats = list(watched())
    times: list[float] = []
    regions = 0
    with session_factory(engine)() as session:
        view.compute(session, TODAY, threats, 4, Judgements())  # warm the caches once
        for n in range(RUNS):
            day = TODAY - timedelta(days=7 * (n % 5))
            clearance = (1, 3)[n % 2]
            started = clock.perf_counter()
            found = view.compute(session, day, threats, clearance, Judgements())
            times.append((clock.perf_counter() - started) * 1000)
            regions = len(found.regions)
    single, typical = _singles(engine)
    rendered, pages = _assessment(engine, settings)
    engine.dispose()
    return [
        Row(
            f"picture over {INCIDENTS:,} incidents, {label}",
            f"p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms",
            f"< {TARGET_MS:.0f} ms",
            percentile(times, 95) < TARGET_MS,
            f"levels of {len(threats)} threats nationally and in {regions} regions, "
            f"26 weeks of trends, the map; {RUNS} runs, clearances 1 and 3; {fill}",
        ),
        Row(
            f"picture: rollups of one incident, {label}",
            f"mean {single:.2f} ms, median {typical:.2f} ms per incident",
            "< 1 ms",
            single < 1.0,
            f"{SINGLES} incidents written one at a time, each in its own transaction: "
            "the time of the rollup update within it",
        ),
        Row(
            f"picture: monthly assessment PDF, {label}",
            f"{rendered:.1f} s",
            "< 10 s",
            rendered < 10.0,
            f"{TODAY:%Y-%m} over the same store, {pages} pages, gathered and rendered "
            "(WeasyPrint) as an analyst cleared to SECRET",
        ),
    ]


def _fill(engine: Engine) -> str:
    with session_factory(engine)() as session:
        stored = session.scalar(select(func.count()).select_from(IncidentRow)) or 0
    if stored == INCIDENTS:
        return "store reused"
    if stored:
        raise RuntimeError(f"{engine.url}: holds {stored} incidents, not {INCIDENTS}: drop it")
    rng = random.Random(7)
    kinds = [(k.code, k.public_event) for k in taxonomy().types]
    units = list(load_gazetteer().units)
    places = [*units, "AZ", "GE", "IR", "RU", ""]
    weights = [1.0] * len(units) + [3.0, 0.5, 0.5, 0.5, 0.5]
    started = clock.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"storing {INCIDENTS:,} incidents", total=INCIDENTS)
        for first in range(0, INCIDENTS, CHUNK):
            size = min(CHUNK, INCIDENTS - first)
            # In time order, as incidents arrive: each chunk covers the next stretch of days.
            days = [(first + i) * DAYS // INCIDENTS for i in range(size)]
            picked = rng.choices(places, weights, k=size)
            rows = [
                _incident(first + i, kinds[rng.randrange(len(kinds))], days[i], picked[i], rng)
                for i in range(size)
            ]
            with session_factory(engine)() as session, session.begin():
                insert_rows(session, IncidentRow.__table__, rows)  # type: ignore[arg-type]
                rollup.apply(session, [(None, contribution(r)) for r in rows])
            progress.advance(task, size)
    seconds = clock.perf_counter() - started
    return f"filled in {seconds:.0f} s ({INCIDENTS / seconds:,.0f} incidents/s with rollups)"


def _incident(
    n: int, kind: tuple[str, bool], day: int, region: str, rng: random.Random
) -> dict[str, Any]:
    at = START + timedelta(days=day, seconds=rng.randrange(86400))
    abroad = bool(region) and not region.startswith("AZ")
    return {
        "id": f"{n:024x}",
        "owner_agency": "agency-police",
        "owner_unit": None,
        "classification": rng.choices((0, 1, 2, 3), (2, 5, 2, 1))[0],
        "tlp": None,
        "title": kind[0],
        "event_type": kind[0],
        "public_event": kind[1],
        "status": "open",
        "first_observed": at,
        "last_observed": at,
        "severity": rng.randint(1, 5),
        "severity_reasons": [],
        "place_facts": {},
        "killed": 0,
        "injured": 0,
        "report_count": 1,
        "fingerprint": "",
        "place_text": None,
        "lat": None,
        "lon": None,
        "country": region[:2] if region else None,
        "admin1": region if region.startswith("AZ-") else None,
        "location_precision": "country" if abroad else "district",
        "created_at": at,
        "updated_at": at,
    }


def _singles(engine: Engine) -> tuple[float, float]:
    """Milliseconds the rollup update takes per incident written on its own: mean, median."""
    rng = random.Random(11)
    kinds = [(k.code, k.public_event) for k in taxonomy().types]
    spent: list[float] = []
    base = INCIDENTS + 10_000_000 + rng.randrange(10**9) * 100
    for n in range(SINGLES):
        row = _incident(base + n, kinds[n % len(kinds)], DAYS - 1 - n % 30, "AZ-BA", rng)
        with session_factory(engine)() as session:
            insert_rows(session, IncidentRow.__table__, [row])  # type: ignore[arg-type]
            started = clock.perf_counter()
            rollup.apply(session, [(None, contribution(row))])
            spent.append((clock.perf_counter() - started) * 1000)
            session.rollback()  # the store keeps its size: the next run reuses it
    return sum(spent) / len(spent), percentile(spent, 50)


def _assessment(engine: Engine, settings: Settings) -> tuple[float, int]:
    """Seconds to gather and render the monthly assessment as PDF; its pages."""
    principal = replace(operator_principal(settings, "bench"), roles=("analyst",), clearance=3)
    ctx = Context(principal, trail(settings, engine))
    started = clock.perf_counter()
    made = report.assessment(ctx, f"{TODAY:%Y-%m}", now=datetime.combine(TODAY, time(23), UTC))
    pdf = report.render_pdf(made)
    seconds = clock.perf_counter() - started
    return seconds, _pages(pdf)


def _pages(pdf: bytes) -> int:
    """The pages of a PDF, as poppler's pdfinfo counts them (0 without it)."""
    if shutil.which("pdfinfo") is None:
        return 0
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False)
    found = re.search(rb"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    return int(found.group(1)) if found else 0
