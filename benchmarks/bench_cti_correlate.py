"""CTI correlation: what extracting observables would cost intake, indexing indicators as they
are stored, and the correlation pass with its retro-hunt over a real report load.

The reports are the ACLED development notes (``../shared/data``) imported through the real
bulk intake; one in ten carries an address, a domain, a URL or a hash (defanged as analysts
write them): half a stored indicator's, a quarter a new indicator's.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_intake import ACLED, _importer, _texts
from benchmarks.common import Row
from qalxan.access.audit import Context
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.cti import hunt, markings, store
from qalxan.cti.observables import extract
from qalxan.doctrine.versions import DoctrineCache
from qalxan.intake import bulk, sources
from qalxan.intake.classify import classifier_for
from qalxan.settings import Settings
from qalxan.store.engine import session_factory, transaction

INDICATORS = 10_000
NEW_INDICATORS = 200
# Bulk import's measured rate (benchmarks/bench_intake.py): the budget of one report.
INTAKE_RATE = 1250


def run() -> list[Row]:
    if not ACLED.exists():
        return [Row("CTI correlation benchmarks", "skipped", "", None, f"data absent: {ACLED}")]
    rng = random.Random(7)
    texts = _texts()
    iocs = _indicators(rng, INDICATORS + NEW_INDICATORS)
    seeded = _seed(rng, texts, iocs)
    return [_extraction(seeded), *_pass(seeded, iocs)]


def _value(rng: random.Random, n: int) -> tuple[str, str, str]:
    """(pattern, value as a report writes it, kind) of the n-th indicator."""
    kind = n % 4
    if kind == 0:
        ip = f"198.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        return f"[ipv4-addr:value = '{ip}']", ip.replace(".", "[.]"), "ip"
    if kind == 1:
        name = f"c{n}.evil-{rng.randrange(10**6)}.az"
        return f"[domain-name:value = '{name}']", name.replace(".", "[.]"), "domain"
    if kind == 2:
        url = f"http://drop{n}.example.com/p/{n}"
        return f"[url:value = '{url}']", url.replace("http", "hxxp"), "url"
    digest = f"{rng.getrandbits(256):064x}"
    return f"[file:hashes.'SHA-256' = '{digest}']", digest.upper(), "hash"


def _indicators(rng: random.Random, count: int) -> list[tuple[dict[str, Any], str]]:
    found = []
    for n in range(count):
        pattern, written, _ = _value(rng, n)
        obj = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            "created": "2026-01-05T10:00:00.000Z",
            "modified": "2026-01-05T10:00:00.000Z",
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": "2026-01-05T10:00:00.000Z",
            "object_marking_refs": [markings.tlp_id("GREEN")],
        }
        found.append((obj, written))
    return found


def _seed(
    rng: random.Random, texts: list[dict[str, str]], iocs: list[tuple[dict[str, Any], str]]
) -> list[dict[str, str]]:
    """One report in ten shows an observable: a stored indicator's, a new indicator's (found
    by the retro-hunt), or none's."""
    seeded = []
    for n, text in enumerate(texts):
        written = None
        if n % 40 == 0:
            written = rng.choice(iocs[:INDICATORS])[1]
        elif n % 40 == 20:
            written = rng.choice(iocs[INDICATORS:])[1]
        elif n % 20 == 10:
            written = f"203.0.113.{n % 250}"
        if written is not None:
            text = {**text, "text": f"{text['text']} Beacon to {written} was seen."}
        seeded.append(text)
    return seeded


def _extraction(texts: list[dict[str, str]]) -> Row:
    notes = [t["text"] for t in texts]
    extract(notes[:50])  # the public suffix list is read on first use
    started = time.perf_counter()
    found = sum(len(extract([note])) for note in notes)
    per_report = (time.perf_counter() - started) / len(notes) * 1e6
    share = per_report / (1e6 / INTAKE_RATE) * 100
    return Row(
        "CTI observables extracted per report",
        f"{per_report:,.0f} µs ({share:.1f}% of a bulk-imported report)",
        "informs: inline, intake would lose this share",
        None,
        f"{len(notes)} ACLED notes, 1 in 10 with an observable; {found} found",
    )


def _pass(texts: list[dict[str, str]], iocs: list[tuple[dict[str, Any], str]]) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), doctrine_refresh_seconds=0)
        engine = bootstrap(settings)
        doctrine = DoctrineCache().current(engine)
        path = Path(tmp) / "reports.jsonl"
        path.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
        bulk.run(
            _importer(settings, engine),
            doctrine,
            classifier_for(Path(tmp)),
            sources.read(path),
            origin="bench",
            workers=bulk.default_workers(),
        )
        objects = [obj for obj, _ in iocs]
        started = time.perf_counter()
        with transaction(engine) as session:
            store.put(session, objects[:INDICATORS], agency="agency-ess", actor="bench")
        put_seconds = time.perf_counter() - started
        system = Context(
            replace(operator_principal(settings, "system:cti-correlate"), via="system"),
            trail(settings, engine),
        )
        later = datetime.now(UTC) + timedelta(minutes=5)
        started = time.perf_counter()
        first = hunt.run(system, doctrine, now=later)
        first_seconds = time.perf_counter() - started
        with transaction(engine) as session:
            store.put(session, objects[INDICATORS:], agency="agency-ess", actor="bench")
        # The reports are of 2022: hunt from their first day rather than the last 30 days.
        started = time.perf_counter()
        with session_factory(engine)() as session:
            found = hunt.retro_hunt(session, objects[INDICATORS:], datetime(2022, 1, 1, tzinfo=UTC))
        retro_seconds = time.perf_counter() - started
        engine.dispose()
    return [
        Row(
            "CTI indicators stored and indexed",
            f"{INDICATORS / put_seconds:,.0f} indicators/s",
            ">= 2,500/s (25,000 objects in 10 s)",
            INDICATORS / put_seconds >= 2500,
            f"{INDICATORS} indicators (address, domain, URL, hash), store.put with the index, "
            "SQLite",
        ),
        Row(
            "CTI correlation pass over newly imported reports",
            f"{len(first.incidents) / first_seconds:,.0f} incidents/s",
            ">= 1,250 incidents/s (keeps up with bulk import)",
            len(first.incidents) / first_seconds >= INTAKE_RATE,
            f"{len(first.incidents)} incidents of {len(texts)} reports, {first.linked} linked, "
            f"{first.sightings} sightings; {first_seconds:.1f} s, SQLite",
        ),
        Row(
            "CTI retro-hunt of new indicators",
            f"{retro_seconds:.2f} s",
            "<= 10 s",
            retro_seconds <= 10,
            f"{NEW_INDICATORS} new indicators against {len(texts)} reports: "
            f"{len(found)} incidents found",
        ),
    ]
