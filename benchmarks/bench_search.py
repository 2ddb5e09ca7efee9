"""Doctrine search latency: in process, and end to end over HTTP against ``qalxan serve``."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import Row, percentile, served
from qalxan.doctrine.loader import load_bundled
from qalxan.doctrine.search import SearchIndex

QUERIES = [
    "terrorism",
    "Terrorizm",
    "terrorizmə qarşı mübarizə",
    "terorrism",
    "3.4",
    "4.3.11",
    "border security",
    "Sərhəd",
    "Serhed",
    "sərhədlərinin mühafizəsi",
    "Dövlət Sərhəd Xidməti",
    "energy infrastructure",
    "enerji təhlükəsizliyi",
    "pipeline",
    "Baku-Tbilisi-Ceyhan",
    "migration",
    "miqrasiya siyasəti",
    "emergency",
    "fövqəladə hallar",
    "earthquake",
    "cyber",
    "information security",
    "informasiya təhlükəsizliyi",
    "NATO",
    "Partnership for Peace",
    "Sülh Naminə Tərəfdaşlıq",
    "OSCE Minsk Group",
    "customs",
    "gömrük",
    "police academy",
    "human trafficking",
    "insan alveri",
    "drug",
    "narkotik",
    "weapons of mass destruction",
    "environment",
    "ekoloji",
    "Metsamor",
    "democratic oversight",
    "intelligence",
    "State Security Service",
    "Dövlət Təhlükəsizliyi Xidməti",
    "financial monitoring",
    "mig",
    "ter",
    "Azerbaijan",
    "Armenia occupation",
    "Turkey strategic partnership",
    "Gürcüstan",
]
ROUNDS = 40
HTTP_REQUESTS = 2000
TARGET_MS = 10.0


def run() -> list[Row]:
    index = SearchIndex(load_bundled())
    samples = []
    for _ in range(ROUNDS):
        for query in QUERIES:
            started = time.perf_counter()
            index.search(query)
            samples.append((time.perf_counter() - started) * 1000)
    rows = [
        Row(
            "doctrine search, in process: p50 / p99",
            f"{percentile(samples, 50):.3f} / {percentile(samples, 99):.3f} ms",
            f"p99 < {TARGET_MS:.0f} ms",
            percentile(samples, 99) < TARGET_MS,
            f"{len(samples)} queries, {len(QUERIES)} distinct",
        )
    ]
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as (url, _):
        http = []
        with httpx.Client(base_url=url) as client:
            for query in QUERIES:  # warm the worker's index
                client.get("/api/v1/doctrine/search", params={"q": query})
            for i in range(HTTP_REQUESTS):
                query = QUERIES[i % len(QUERIES)]
                started = time.perf_counter()
                response = client.get("/api/v1/doctrine/search", params={"q": query})
                http.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
        rows.append(
            Row(
                "doctrine search, HTTP end to end: p50 / p99",
                f"{percentile(http, 50):.2f} / {percentile(http, 99):.2f} ms",
                f"p99 < {TARGET_MS:.0f} ms",
                percentile(http, 99) < TARGET_MS,
                f"{HTTP_REQUESTS} requests, 1 worker, SQLite",
            )
        )
    return rows
