"""Public warnings: CAP 1.2 reading throughput (parse, schema, model, rules) in alerts/minute.

The valid CAP 1.2 samples in ``../shared/data/cti/cap`` (each alert of an EDXL-DE envelope taken
as a document of its own) are read again and again until 10,000 alerts have been read; every
one must come out valid. Without the samples, synthetic alerts written by the platform are read.
The ingest part (storing the alerts) is measured by its own benchmark.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from benchmarks.common import Row
from qalxan.alerts import Alert, Area, Info, Polygon, read_document, write_alert
from qalxan.alerts.xmldoc import CAP12, parse_xml

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
CAP_DIR = SHARED / "data" / "cti" / "cap"
VALID_12 = (
    "CanadaNaad.xml",
    "NOAA_MultiplePolygons.txt",
    "australia.cap",
    "australia_bom.cap",
    "canada.cap",
    "canada_signed.cap",
    "earthquake-iso8859-1.cap",
    "mexico.xml",
    "no_info_tag.cap",
    "ph.cap",
    "wcatwc-warning.cap",
    "bushfire_valid.edxlde",
    "rfs.xml",
)
TARGET_ALERTS = 10_000
TARGET_PER_MINUTE = 10_000


def sample_documents() -> tuple[list[bytes], str]:
    """One document per alert, and where they come from."""
    if not all((CAP_DIR / name).is_file() for name in VALID_12):
        return _synthetic(), "synthetic alerts (shared samples absent)"
    documents = []
    for name in VALID_12:
        data = (CAP_DIR / name).read_bytes()
        root = parse_xml(data)
        if root.tag == f"{{{CAP12}}}alert":
            documents.append(data)
        else:
            documents += [etree.tostring(a) for a in root.iter(f"{{{CAP12}}}alert")]
    return documents, f"{len(documents)} distinct alerts from {len(VALID_12)} shared samples"


def _synthetic() -> list[bytes]:
    base = Alert(
        "AZ-0",
        "warnings@fhn.gov.az",
        datetime(2025, 3, 1, 6, tzinfo=UTC),
        "Actual",
        "Alert",
        "Public",
        infos=(
            Info(
                ("Met",),
                "Strong wind",
                "Expected",
                "Severe",
                "Likely",
                language="en",
                areas=(Area("Baku", polygons=(Polygon("40.3,49.7 40.5,49.7 40.5,50 40.3,49.7"),)),),
            ),
        ),
    )
    return [write_alert(replace(base, identifier=f"AZ-{n}")) for n in range(100)]


def run() -> list[Row]:
    documents, origin = sample_documents()
    stream = (documents * (TARGET_ALERTS // len(documents) + 1))[:TARGET_ALERTS]
    for data in documents:  # warm-up: schema compiled, vocabulary loaded
        read_document(data)
    timings = []
    invalid = 0
    started = time.perf_counter()
    for data in stream:
        begin = time.perf_counter()
        document = read_document(data)
        timings.append(time.perf_counter() - begin)
        invalid += not document.ok
    elapsed = time.perf_counter() - started
    per_minute = len(stream) / elapsed * 60
    alerts = [a for data in documents for a in read_document(data).alerts]
    written = time.perf_counter()
    for alert in (alerts * (TARGET_ALERTS // len(alerts) + 1))[:TARGET_ALERTS]:
        write_alert(alert)
    write_per_minute = TARGET_ALERTS / (time.perf_counter() - written) * 60
    return [
        Row(
            "alerts: read CAP 1.2 (parse + schema + model + rules)",
            f"{per_minute:,.0f} alerts/min",
            f">= {TARGET_PER_MINUTE:,} alerts/min",
            per_minute >= TARGET_PER_MINUTE and invalid == 0,
            f"{len(stream):,} alerts, {invalid} rejected; {origin}; "
            f"median {statistics.median(timings) * 1000:.2f} ms, "
            f"max {max(timings) * 1000:.1f} ms per alert; one process",
        ),
        Row(
            "alerts: write CAP 1.2",
            f"{write_per_minute:,.0f} alerts/min",
            "report",
            None,
            f"{TARGET_ALERTS:,} alerts",
        ),
    ]
