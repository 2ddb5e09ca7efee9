"""STIX ingest at scale: the ICS ATT&CK bundle (1,826 objects, target < 1 s) and 25,000
objects (target < 10 s), each validated (schemas and MUST checks), stored and audited as one
import; the same 25,000 again (stores nothing); search and links on the 25,000 stored.

The 25,000 are the mobile and ICS ATT&CK bundles and the OASIS examples
(``../shared/data/cti``), then deterministic synthetic content up to 25,000 distinct object
versions: indicators with STIX patterns (addresses, domains, URLs, file hashes), the
observables they name and "indicates" relationships to ATT&CK's malware. Run on SQLite and,
with ``QALXAN_BENCH_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.bench_access import fresh_schema
from benchmarks.common import Row, percentile
from qalxan.access.audit import Context
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.cti import attack, ingest, markings, objects, related, store, validate
from qalxan.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
CTI = SHARED / "data" / "cti"
ICS = CTI / "attack" / "ics-attack-18.1.json"
MOBILE = CTI / "attack" / "mobile-attack-17.1.json"
TOTAL = 25_000
SEARCHES = 50
T0 = "2025-06-01T00:00:00.000Z"


def run() -> list[Row]:
    if not ICS.exists():
        return [Row("cti benchmarks", "skipped", "", None, f"data absent: {ICS}")]
    content = corpus(TOTAL)
    warm = _warm_up(content)
    rows = _measure(lambda: nullcontext(None), "SQLite", content, warm)
    postgres = os.environ.get("QALXAN_BENCH_DATABASE_URL")
    if postgres:
        rows += _measure(lambda: fresh_schema(postgres), "PostgreSQL", content, warm)
    return rows


def corpus(total: int) -> list[dict[str, Any]]:
    """``total`` distinct object versions, the same on every run."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    files = [MOBILE, ICS, *sorted((CTI / "stix" / "examples").rglob("*.json"))]
    for path in files:
        document = json.loads(path.read_text("utf-8"))
        for obj in document.get("objects", [document]):
            found.setdefault((obj["id"], store.version_of(obj)), obj)
    malware = [o["id"] for o in found.values() if o["type"] == "malware"]
    content = list(found.values())
    rng = random.Random(7)
    n = 0
    while len(content) < total:
        content += _synthetic(n, rng, malware)[: total - len(content)]
        n += 1
    return content


def _synthetic(n: int, rng: random.Random, malware: list[str]) -> list[dict[str, Any]]:
    """An indicator, the observable it names and its relationship to a malware family."""
    kind = n % 4
    address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    value, observable, pattern = {
        0: (address, "ipv4-addr", f"[ipv4-addr:value = '{address}']"),
        1: (f"c2-{n}.example.net", "domain-name", f"[domain-name:value = 'c2-{n}.example.net']"),
        2: (f"http://c2-{n}.example.net/gate", "url", f"[url:value = 'http://c2-{n}.example.net/gate']"),
        3: (hashlib.sha256(str(n).encode()).hexdigest(), "file", ""),
    }[kind]  # fmt: skip
    if kind == 3:
        pattern = f"[file:hashes.'SHA-256' = '{value}']"
    green = [markings.tlp_id("GREEN")]
    indicator_id = f"indicator--{_uuid4(rng)}"
    indicator = {
        "type": "indicator", "spec_version": "2.1", "id": indicator_id,
        "created": T0, "modified": T0, "name": f"Synthetic {observable} {n}",
        "description": f"Deterministic benchmark indicator number {n}.",
        "indicator_types": ["malicious-activity"], "pattern": pattern, "pattern_type": "stix",
        "valid_from": T0, "object_marking_refs": green,
    }  # fmt: skip
    sco: dict[str, Any] = {"type": observable, "spec_version": "2.1"}
    if kind == 3:
        sco["hashes"] = {"SHA-256": value}
    else:
        sco["value"] = value
    sco["id"] = f"{observable}--{uuid.uuid5(uuid.NAMESPACE_URL, f'{observable}:{value}')}"
    link = {
        "type": "relationship", "spec_version": "2.1", "id": f"relationship--{_uuid4(rng)}",
        "created": T0, "modified": T0, "relationship_type": "indicates",
        "source_ref": indicator_id, "target_ref": malware[n % len(malware)],
        "object_marking_refs": green,
    }  # fmt: skip
    return [indicator, sco, link]


def _uuid4(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _warm_up(content: list[dict[str, Any]]) -> float:
    """Compile every schema the content needs (once per process, as a server does)."""
    started = time.perf_counter()
    one_of_each = {o["type"]: o for o in content}
    validate.check(one_of_each.values())
    return time.perf_counter() - started


def _measure(
    database: Callable[[], AbstractContextManager[str | None]],
    name: str,
    content: list[dict[str, Any]],
    warm: float,
) -> list[Row]:
    """Each measurement on a database of its own (a PostgreSQL schema, a SQLite file)."""
    with tempfile.TemporaryDirectory() as tmp, database() as url:
        settings = Settings(data_dir=Path(tmp), database_url=url)
        engine = bootstrap(settings)
        started = time.perf_counter()
        ics = attack.load(_cert(settings, engine), ICS)
        ics_seconds = time.perf_counter() - started
        engine.dispose()
    with tempfile.TemporaryDirectory() as tmp, database() as url:
        settings = Settings(data_dir=Path(tmp), database_url=url)
        engine = bootstrap(settings)
        ctx = _cert(settings, engine)
        started = time.perf_counter()
        first = ingest.import_objects(ctx, content, source="bench")
        seconds = time.perf_counter() - started
        # The import analysed the tables itself on PostgreSQL (cti/statistics.py), so the
        # second one's id lookups are planned as index scans.
        started = time.perf_counter()
        again = ingest.import_objects(ctx, content, source="bench")
        again_seconds = time.perf_counter() - started
        reads = _reads(ctx, content)
        engine.dispose()
    note = f"validated, stored, audited; schemas compiled beforehand ({warm:.2f} s, once)"
    return [
        Row(
            f"ingest ICS ATT&CK bundle, {name}",
            f"{ics_seconds:.2f} s",
            "< 1 s",
            ics_seconds < 1 and ics.stored == 1826,
            f"{ics.stored:,} objects from the file into their collection; {note}",
        ),
        Row(
            f"ingest 25,000 objects, {name}",
            f"{seconds:.2f} s",
            "< 10 s",
            seconds < 10 and first.stored == TOTAL and not first.rejected,
            f"{first.stored:,} stored ({TOTAL / seconds:,.0f}/s); {note}",
        ),
        Row(
            f"ingest the same 25,000 again, {name}",
            f"{again_seconds:.2f} s",
            "0 stored",
            again.stored == 0 and again.already == TOTAL,
            f"{again.already:,} recognised as already stored",
        ),
        *[
            Row(f"{label}, {name}: p50 / p95", value, "", None, f"25,000 stored; {detail}")
            for label, value, detail in reads
        ],
    ]


def _cert(settings: Settings, engine: Any) -> Context:
    principal = replace(
        operator_principal(settings, "bench"), roles=("cert_analyst",), agency_id="agency-ess"
    )
    return Context(principal, trail(settings, engine))


def _reads(ctx: Context, content: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    malware = next(o["id"] for o in content if o["type"] == "malware")
    queries: dict[str, tuple[Callable[[], Any], str]] = {
        "search by type": (
            lambda: objects.search(ctx, objects.Query(types=("attack-pattern",))),
            "attack-pattern, newest 50",
        ),
        "search by name": (
            lambda: objects.search(ctx, objects.Query(name="synthetic url 99")),
            "substring of the name",
        ),
        "search free text": (
            lambda: objects.search(ctx, objects.Query(text="spearphishing")),
            "substring anywhere in the object",
        ),
        "relationships and sightings of a malware": (
            lambda: related.links(ctx, malware),
            "both directions, the other ends resolved",
        ),
        "ATT&CK technique by id": (lambda: attack.technique(ctx, "T0800"), "T0800"),
    }
    found = []
    for label, (query, detail) in queries.items():
        query()
        samples = []
        for _ in range(SEARCHES):
            started = time.perf_counter()
            query()
            samples.append((time.perf_counter() - started) * 1000)
        value = f"{percentile(samples, 50):.1f} / {percentile(samples, 95):.1f} ms"
        found.append((label, value, f"{detail}; policy and audit included"))
    return found
