"""Intake at scale: bulk import end to end, typing throughput, report submission over HTTP,
and the incident list with 1,000,000 incidents stored.

The reports are the real notes of the ACLED development split (``../shared/data``), given as
plain texts with a date: typing, geolocation, de-duplication and routing all run on them.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.progress import Progress
from sqlalchemy import Engine, insert

from benchmarks.bench_access import fresh_schema
from benchmarks.common import Row, percentile, served
from qalxan import compiled
from qalxan.access import apikeys
from qalxan.access.audit import Context
from qalxan.access.identity import principal_of
from qalxan.access.tables import ShareRow, UserRow
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.doctrine.versions import DoctrineCache
from qalxan.intake import bulk, incidents, sources
from qalxan.intake.classify import classifier_for, strip_acled_tags
from qalxan.intake.tables import IncidentRow, RoutingRow
from qalxan.intake.taxonomy import taxonomy
from qalxan.intake.typing_file import classify_lines
from qalxan.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
ACLED = SHARED / "data" / "events" / "acled" / "acled_2022-01_04_dev.csv"
SUBMISSIONS = 1000
INCIDENTS = 1_000_000
LIST_QUERIES = 200
BATCH = 20_000
RUNS = 3


def run() -> list[Row]:
    if not ACLED.exists():
        return [Row("intake benchmarks", "skipped", "", None, f"data absent: {ACLED}")]
    texts = _texts()
    rows = [_classify(texts)]
    rows += _bulk(texts, None, "SQLite")
    postgres = os.environ.get("QALXAN_BENCH_DATABASE_URL")
    if postgres:
        rows += _bulk(texts, postgres, "PostgreSQL")
    rows.append(_submission(texts))
    rows += _listing(None, "SQLite")
    if postgres:
        with fresh_schema(postgres) as url:
            rows += _listing(url, "PostgreSQL")
    return rows


def _texts() -> list[dict[str, str]]:
    with ACLED.open(encoding="utf-8", newline="") as handle:
        return [
            {
                "id": r["event_id_cnty"],
                "text": strip_acled_tags(r["notes"]),
                "date": r["event_date"],
            }
            for r in csv.DictReader(handle)
        ]


def _classify(texts: list[dict[str, str]]) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        classifier = classifier_for(Path(tmp))
        lines = [json.dumps(t) for t in texts]
        list(classify_lines(lines[:50], classifier))  # load the lexicon and gazetteer first
        started = time.perf_counter()
        count = sum(1 for _ in classify_lines(lines, classifier))
        seconds = time.perf_counter() - started
    rate = count / seconds
    return Row(
        "reports classify: typing + geolocation",
        f"{rate:,.0f} texts/s",
        ">= 1,000 texts/s",
        rate >= 1000,
        f"{count} ACLED notes, rules (untrained), 1 process",
    )


def _bulk(texts: list[dict[str, str]], server: str | None, name: str) -> list[Row]:
    """The import, :data:`RUNS` times into fresh stores (a schema of its own on the PostgreSQL
    ``server``, else SQLite): the machine's speed swings from minute to minute, and one run
    of a few seconds says more of the minute than of the import."""
    runs = []
    for _ in range(RUNS):
        with fresh_schema(server) if server else nullcontext(None) as url:
            runs.append(_bulk_once(texts, url))
    rates = sorted(outcome.rows / seconds for seconds, outcome, _ in runs)
    rate = statistics.median(rates)
    _, outcome, again = runs[-1]
    return [
        Row(
            f"bulk import end to end, {name}",
            f"{rate:,.0f} reports/s",
            ">= 2,000 reports/s",
            rate >= 2000,
            f"median of {RUNS} imports into fresh stores "
            f"({', '.join(f'{r:,.0f}' for r in rates)}); "
            f"{outcome.rows} texts typed, placed, de-duplicated, routed: "
            f"{outcome.incidents} incidents, {outcome.joined} joined; "
            f"{bulk.default_workers()} worker process(es) typing and placing; "
            f"hot paths {compiled.state()}",
        ),
        Row(
            f"bulk import run again, {name}",
            f"{again.stored} stored",
            "0 stored",
            again.stored == 0 and again.repeated == outcome.rows,
            f"{again.repeated} recognised as already stored, {again.per_second:,.0f} rows/s",
        ),
    ]


def _bulk_once(
    texts: list[dict[str, str]], url: str | None
) -> tuple[float, bulk.Outcome, bulk.Outcome]:
    """One import of ``texts`` into a fresh store: its seconds, its outcome, and the outcome of
    importing the file again."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=url, doctrine_refresh_seconds=0)
        engine = bootstrap(settings)
        path = Path(tmp) / "reports.jsonl"
        path.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
        ctx = _importer(settings, engine)
        doctrine = DoctrineCache().current(engine)
        classifier = classifier_for(Path(tmp))
        read = list(sources.read(path))[:20]
        warm = [sources.Row(1, r.draft) for r in read if isinstance(r, sources.Row)]
        workers = bulk.default_workers()
        # As a worker process would start it: the lexicon, the gazetteer and the shapes that
        # placing a point reads (the border, the pipelines) are loaded before it forks.
        bulk.run(ctx, doctrine, classifier, warm, origin="warm-up", workers=workers)
        started = time.perf_counter()
        # As `qalxan reports import` does: the whole file checked (while the first chunks are
        # typed) before anything is stored.
        outcome = bulk.run(
            ctx,
            doctrine,
            classifier,
            sources.read(path),
            origin="bench",
            workers=workers,
            check=lambda: bulk.validate(sources.read(path)),
        )
        seconds = time.perf_counter() - started
        again = bulk.run(ctx, doctrine, classifier, sources.read(path), origin="bench")
        engine.dispose()
    return seconds, outcome, again


def _importer(settings: Settings, engine: Engine) -> Context:
    principal = replace(
        operator_principal(settings, "bench"), roles=("duty_officer",), agency_id="agency-police"
    )
    return Context(principal, trail(settings, engine))


def _submission(texts: list[dict[str, str]]) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        engine = bootstrap(settings)
        key = _api_key(settings, engine, "agency-police", ["duty_officer"])
        engine.dispose()
        samples: list[float] = []
        with served(Path(tmp)) as (url, _), httpx.Client(base_url=url, timeout=30) as client:
            headers = {"Authorization": f"Bearer {key}"}
            now = datetime.now(UTC)
            for n in range(SUBMISSIONS + 50):
                text = texts[n % len(texts)]
                body = {
                    "narrative": text["text"],
                    "observed_at": (now - timedelta(minutes=n)).isoformat(),
                }
                started = time.perf_counter()
                answer = client.post("/api/v1/reports", json=body, headers=headers)
                if n >= 50:  # the first requests load the lexicon and the gazetteer
                    samples.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    return Row(
        "report submission over HTTP, p50 / p99",
        f"{p50:.1f} / {p99:.1f} ms",
        "p99 <= 50 ms",
        p99 <= 50,
        f"{SUBMISSIONS} reports (ACLED notes, no type or place given), 1 worker, SQLite",
    )


def _api_key(settings: Settings, engine: Engine, agency: str, roles: list[str]) -> str:
    from qalxan.access import accounts

    operator = Context(operator_principal(settings, "bench"), trail(settings, engine))
    user, _ = accounts.create(
        operator,
        DoctrineCache().current(engine),
        username=f"bench-{agency}",
        display_name="bench",
        agency_id=agency,
        roles=roles,
        clearance="secret",
        password="correct horse battery staple",
    )
    principal = principal_of(user, "session")
    ctx = Context(principal, trail(settings, engine))
    _, key = apikeys.create(ctx, "bench", sorted(principal.permissions))
    return key


def _listing(url: str | None, name: str) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=url, doctrine_refresh_seconds=0)
        engine = bootstrap(settings)
        _fill(engine)
        if url is not None:
            # As a running server has it: without this, autovacuum would work through the new
            # million rows during the measurement.
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        user = UserRow(
            id="b" * 24,
            username="analyst",
            display_name="Analyst",
            agency_id="agency-sbs",
            roles=["analyst"],
            clearance=3,
            created_by="bench",
        )
        ctx = Context(principal_of(user, "session"), trail(settings, engine))
        queries: dict[str, Callable[[], Any]] = {
            "newest": lambda: incidents.listing(ctx, incidents.Filters()),
            "by type": lambda: incidents.listing(ctx, incidents.Filters(event_type="flood")),
            "by district": lambda: incidents.listing(ctx, incidents.Filters(admin1="AZ-GA")),
            "by threat": lambda: incidents.listing(ctx, incidents.Filters(threat="threat-3-5")),
            "routed to": lambda: incidents.listing(ctx, incidents.Filters(agency="agency-mes")),
        }
        results: list[Row] = []
        for label, query in queries.items():
            samples = []
            page = query()
            for _ in range(LIST_QUERIES):
                started = time.perf_counter()
                page = query()
                samples.append((time.perf_counter() - started) * 1000)
            p50, p99 = percentile(samples, 50), percentile(samples, 99)
            results.append(
                Row(
                    f"incident list ({label}), {name}: p50 / p99",
                    f"{p50:.1f} / {p99:.1f} ms",
                    "p99 <= 50 ms",
                    p99 <= 50 and len(page.rows) > 0,
                    f"{INCIDENTS:,} incidents, 50 a page, policy + audit included",
                )
            )
        engine.dispose()
    return results


def _fill(engine: Engine) -> None:
    """A million incidents over two years, a routing row each, shares for the AMBER ones."""
    rng = random.Random(7)
    kinds = list(taxonomy().types)
    districts = [f"AZ-{c}" for c in ("BA", "GA", "SM", "LA", "QAZ", "TOV", "SAK", "NX", "XAC")]
    agencies = ["agency-police", "agency-mes", "agency-sbs", "agency-sss", "agency-scc"]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with Progress(transient=True) as progress:
        task = progress.add_task("storing 1,000,000 incidents", total=INCIDENTS)
        for first in range(0, INCIDENTS, BATCH):
            rows: list[dict[str, Any]] = []
            routes: list[dict[str, Any]] = []
            shares: list[dict[str, Any]] = []
            for n in range(first, min(first + BATCH, INCIDENTS)):
                kind = kinds[rng.randrange(len(kinds))]
                at = start + timedelta(seconds=rng.randrange(2 * 365 * 86400))
                owner = agencies[rng.randrange(len(agencies))]
                tlp = ("AMBER", "GREEN", None)[rng.randrange(3)]
                incident_id = f"{n:024x}"
                rows.append(
                    {
                        "id": incident_id,
                        "owner_agency": owner,
                        "owner_unit": None,
                        "classification": rng.randrange(4),
                        "tlp": tlp,
                        "title": f"{kind.name.en} {n}",
                        "event_type": kind.code,
                        "public_event": kind.public_event,
                        "status": "open",
                        "first_observed": at,
                        "last_observed": at,
                        "severity": 2,
                        "severity_reasons": [],
                        "place_facts": {},
                        "killed": 0,
                        "injured": 0,
                        "report_count": 1,
                        "fingerprint": "",
                        "place_text": None,
                        "lat": None,
                        "lon": None,
                        "country": "AZ",
                        "admin1": districts[rng.randrange(len(districts))],
                        "location_precision": "district",
                        "created_at": at,
                        "updated_at": at,
                    }
                )
                lead = agencies[rng.randrange(len(agencies))]
                routes.append(
                    {
                        "incident_id": incident_id,
                        "agency_id": lead,
                        "role": "lead",
                        "reasons": [],
                        "routed_at": at,
                        "ack_due": None,
                        "escalation_level": 0,
                    }
                )
                if tlp == "AMBER" and lead != owner:
                    shares.append(
                        {
                            "record_type": "incident",
                            "record_id": incident_id,
                            "agency_id": lead,
                            "user_id": None,
                            "reason": "routed",
                            "granted_by": "bench",
                            "granted_at": at,
                        }
                    )
            with engine.begin() as conn:
                conn.execute(insert(IncidentRow), rows)
                conn.execute(insert(RoutingRow), routes)
                if shares:
                    conn.execute(insert(ShareRow), shares)
            progress.advance(task, len(rows))
