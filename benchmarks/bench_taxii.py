"""TAXII 2.1 paging: 25,000 objects read page by page over HTTP with ``taxii2-client``
(``as_pages`` at the server's largest page), from ``qalxan serve`` and, side by side, from the
OASIS reference server ``medallion`` (memory backend, same objects, same page size, same
client), each in its own process on loopback.

The objects are the mobile and ICS ATT&CK bundles (``../shared/data/cti/attack``) and
deterministic synthetic indicators up to 25,000, put into one collection with
:func:`qalxan.cti.store.put`. Medallion matches every object to its manifest entry with a
nested loop on its first page, so it is also given a smaller set, where it finishes, and a
time limit on the full one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import requests
from requests.auth import AuthBase
from taxii2client.v21 import Collection, as_pages

from benchmarks.bench_access import fresh_schema
from benchmarks.common import Row, free_port, served
from qalxan.access import accounts, apikeys, audit
from qalxan.access.identity import principal_of
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.cti import collections, markings, store
from qalxan.cti.taxii.filters import MAX_LIMIT
from qalxan.doctrine.loader import load_bundled
from qalxan.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
ATTACK = SHARED / "data" / "cti" / "attack"
BUNDLES = ("mobile-attack-17.1.json", "ics-attack-18.1.json")
OBJECTS = 25_000
SMALL = 2_000
TARGET = 5.0
MEDALLION_LIMIT = 120.0
MEDALLION = str(Path(sys.executable).with_name("medallion"))
RUNS = 3


class Bearer(AuthBase):
    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.key}"
        return request


def corpus(total: int) -> list[dict[str, Any]]:
    """ATT&CK's mobile and ICS objects, then synthetic indicators: ``total`` distinct object
    versions (the two bundles share a few objects, which are kept once)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name in BUNDLES:
        for obj in json.loads((ATTACK / name).read_text("utf-8"))["objects"]:
            found.setdefault((obj["id"], store.version_of(obj)), obj)
    objects = list(found.values())
    green = markings.tlp_id("GREEN")
    for n in range(total - len(objects)):
        at = f"2024-01-{1 + n % 28:02d}T{n % 24:02d}:00:00.000Z"
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'qalxan-bench-{n}')}",
                "created": at,
                "modified": at,
                "name": f"C2 server {address}",
                "pattern": f"[ipv4-addr:value = '{address}']",
                "pattern_type": "stix",
                "valid_from": at,
                "object_marking_refs": [green],
            }
        )
    return objects[:total]


def run() -> list[Row]:
    if not all((ATTACK / name).exists() for name in BUNDLES):
        return [Row("TAXII benchmarks", "skipped", "", None, f"data absent: {ATTACK}")]
    objects = corpus(OBJECTS)
    rows = _qalxan(objects, None, "SQLite")
    postgres = os.environ.get("QALXAN_BENCH_DATABASE_URL")
    if postgres:
        with fresh_schema(postgres) as url:
            rows += _qalxan(objects, url, "PostgreSQL")
    rows += _medallion(objects, MEDALLION_LIMIT)
    rows += _qalxan(objects[:SMALL], None, "SQLite", target=False)
    rows += _medallion(objects[:SMALL], MEDALLION_LIMIT)
    return rows


def _qalxan(
    objects: list[dict[str, Any]], database_url: str | None, name: str, target: bool = True
) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        settings = Settings(data_dir=data_dir, database_url=database_url)
        key, collection_id, stored = _load(settings, objects)
        env = {"QALXAN_DATABASE_URL": database_url} if database_url else {}
        with served(data_dir, env) as (url, _):
            collection = Collection(
                f"{url}/taxii2/cert/collections/{collection_id}/", auth=Bearer(key)
            )
            seconds = sorted(_page_through(collection, len(objects)) for _ in range(RUNS))[
                RUNS // 2
            ]
    rows = [
        Row(
            f"TAXII: page through {len(objects):,} objects, Qalxan ({name})",
            f"{seconds:.2f} s",
            f"< {TARGET:.0f} s" if target else "",
            seconds < TARGET if target else None,
            f"taxii2-client as_pages, {MAX_LIMIT:,} per page, all versions, API key, "
            f"median of {RUNS}",
        )
    ]
    if target:
        rows.append(
            Row(
                f"TAXII: store.put of the {len(objects):,} objects ({name})",
                f"{stored:.2f} s",
                "",
                None,
                "set-up of the paging benchmark, one transaction",
            )
        )
    return rows


def _load(settings: Settings, objects: list[dict[str, Any]]) -> tuple[str, str, float]:
    """An analyst of the CERT with an API key, and a collection holding ``objects``."""
    engine = bootstrap(settings)
    operator = audit.Context(operator_principal(settings, "bench"), trail(settings, engine))
    user, _ = accounts.create(
        operator,
        load_bundled(),
        username="analyst",
        display_name="Analyst",
        agency_id="agency-ess",
        roles=["cert_analyst"],
        clearance="secret",
        password="bench password of the CERT",
    )
    ctx = audit.Context(principal_of(user, "session"), trail(settings, engine))
    _, key = apikeys.create(ctx, "bench", ["cti:read", "cti:create"])
    collection = collections.create(ctx, api_root="cert", title="Benchmark")
    started = time.perf_counter()
    with audit.recorded(ctx, "cti.import", "cti_collection", collection.id) as rec:
        outcome = store.put(
            rec.session, objects, agency="agency-ess", actor="bench", collection_id=collection.id
        )
    stored = time.perf_counter() - started
    if outcome.failures:
        raise RuntimeError(f"the benchmark objects were refused: {outcome.failures[:3]}")
    engine.dispose()
    return key, collection.id, stored


def _page_through(collection: Collection, expected: int) -> float:
    started = time.perf_counter()
    pages = as_pages(collection.get_objects, MAX_LIMIT, version="all")
    received = sum(len(p.get("objects", [])) for p in pages)
    seconds = time.perf_counter() - started
    if received != expected:
        raise RuntimeError(f"paged through {received} objects, expected {expected}")
    return seconds


def _medallion(objects: list[dict[str, Any]], limit: float) -> list[Row]:
    label = f"TAXII: page through {len(objects):,} objects, medallion 3.0.0 (memory)"
    note = f"same client and page size ({MAX_LIMIT:,}), HTTP Basic"
    with tempfile.TemporaryDirectory() as tmp, _medallion_served(Path(tmp), objects) as url:
        collection = Collection(url, user="bench", password="bench")
        seconds = _within(lambda: _page_through(collection, len(objects)), limit)
    if seconds is None:
        return [Row(label, f"> {limit:.0f} s", "", None, f"{note}; stopped unfinished")]
    return [Row(label, f"{seconds:.2f} s", "", None, f"{note}; one run")]


def _within(work: Callable[[], float], limit: float) -> float | None:
    """``work``'s result, or None when it is still running after ``limit`` seconds (it then
    fails when its server is stopped, which is nobody's concern)."""
    result: list[float] = []
    failed: list[Exception] = []

    def attempt() -> None:
        try:
            result.append(work())
        except Exception as exc:  # reported below if it came in time
            failed.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(limit)
    if failed and not thread.is_alive():
        raise failed[0]
    return result[0] if result else None


@contextmanager
def _medallion_served(tmp: Path, objects: list[dict[str, Any]]) -> Iterator[str]:
    """medallion on a free port with its memory backend holding ``objects``; yields the
    collection's URL. Stopped (killed) afterwards, even in the middle of an answer."""
    port = free_port()
    collection_id = str(uuid.uuid4())
    media = "application/stix+json;version=2.1"
    manifest = [
        {
            "id": o["id"],
            "date_added": f"2025-01-01T00:00:00.{i:06d}Z",
            "version": o.get("modified") or o.get("created"),
            "media_type": media,
        }
        for i, o in enumerate(objects)
    ]
    data = {
        "/discovery": {"title": "bench", "api_roots": [f"http://127.0.0.1:{port}/bench/"]},
        "bench": {
            "information": {
                "title": "bench",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 100_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": collection_id,
                    "title": "bench",
                    "can_read": True,
                    "can_write": False,
                    "media_types": [media],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }
    (tmp / "data.json").write_text(json.dumps(data), "utf-8")
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(tmp / "data.json"),
        },
        "users": {"bench": "bench"},
        "taxii": {"max_page_size": MAX_LIMIT},
    }
    (tmp / "config.json").write_text(json.dumps(config), "utf-8")
    process = subprocess.Popen(
        [MEDALLION, "--host", "127.0.0.1", "--port", str(port), str(tmp / "config.json")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/taxii2/", process)
        yield f"http://127.0.0.1:{port}/bench/collections/{collection_id}/"
    finally:
        process.kill()
        process.wait(timeout=20)


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("medallion exited before answering")
            try:
                client.get(url, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
    raise RuntimeError("medallion did not answer within 60 s")
