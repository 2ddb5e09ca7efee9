"""Received CAP alerts: validate and ingest 10,000 alerts a minute or better.

The corpus (built before the clock starts, the same on every run):

- the valid CAP 1.2 shared samples (71 alerts, :data:`benchmarks.bench_alerts.VALID_12`), again
  and again with distinct identifiers, until :data:`FOREIGN` alerts: alerts from abroad (every
  one outside the country or no watched hazard), as a subscription to foreign feeds brings;
- :data:`NATIONAL` generated Azerbaijani alerts, one every two hours through a year, across
  the districts: weather warnings the platform does not type (:data:`WEATHER_SHARE`), and
  hazards in az, ru and en (floods, mudflows, earthquakes, landslides, avalanches, wildfires),
  every :data:`UPDATE_EVERY`-th an Update of the one before (which supersedes it and joins
  its incident).

They are served as Atom feeds of :data:`PER_FEED` embedded alerts, the way a pull receives them,
and each feed goes through :func:`qalxan.alerts.ingest.ingest_document` (read, schema and
rules, judged, placed, reports through the intake's bulk import, alerts stored) into a fresh
SQLite store, and a PostgreSQL one when ``QALXAN_BENCH_DATABASE_URL`` is set. The geography is
loaded first, as in a running server. A second run must store nothing.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.bench_access import fresh_schema
from benchmarks.bench_alerts import CAP_DIR, VALID_12
from benchmarks.common import Row
from qalxan.access.audit import Context
from qalxan.alerts import Alert, Area, Info, Polygon, read_document, write_alert
from qalxan.alerts.ingest import Ingested, ingest_document
from qalxan.alerts.ingest_draft import verdict
from qalxan.alerts.ingest_sources import collect
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.versions import DoctrineCache
from qalxan.geo.data_files import load_gazetteer
from qalxan.intake import placing
from qalxan.intake.classify import RuleClassifier
from qalxan.settings import Settings

TOTAL = 10_000
NATIONAL = 3_500
FOREIGN = TOTAL - NATIONAL
PER_FEED = 500
WEATHER_SHARE = 0.3
UPDATE_EVERY = 5
TARGET_PER_MINUTE = 10_000
BAKU = timezone(timedelta(hours=4))
START = datetime(2024, 1, 1, tzinfo=BAKU)
SENDER = "warnings@fhn.gov.az"
# (CAP category, event, language): the hazards the platform watches, and weather it does not.
HAZARDS = (
    ("Met", "Daşqın təhlükəsi", "az"),
    ("Geo", "Селевые потоки", "ru"),
    ("Geo", "Earthquake", "en"),
    ("Geo", "Torpaq sürüşməsi", "az"),
    ("Met", "Лавинная опасность", "ru"),
    ("Fire", "Meşə yanğını", "az"),
)
WEATHER = (("Met", "Güclü külək", "az"), ("Met", "Сильный снег", "ru"))


def run() -> list[Row]:
    feeds, corpus = _corpus()
    rows = _measure(feeds, corpus, None, "SQLite")
    postgres = os.environ.get("QALXAN_BENCH_DATABASE_URL")
    if postgres:
        with fresh_schema(postgres) as url:
            rows += _measure(feeds, corpus, url, "PostgreSQL")
    return rows


def _measure(feeds: list[bytes], corpus: str, url: str | None, name: str) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=url, doctrine_refresh_seconds=0)
        engine = bootstrap(settings)
        try:
            principal = replace(
                operator_principal(settings, "bench"),
                roles=("emergency_manager",),
                agency_id="agency-mes",
            )
            ctx = Context(principal, trail(settings, engine))
            doctrine = DoctrineCache().current(engine)
            _warm()
            first = _ingest(ctx, doctrine, feeds)
            again = _ingest(ctx, doctrine, feeds)
        finally:
            engine.dispose()
    checked = _reading(feeds)
    rate = first.per_minute
    return [
        Row(
            f"alerts ingest: validate + store ({name})",
            f"{rate:,.0f} alerts/min",
            f">= {TARGET_PER_MINUTE:,} alerts/min",
            rate >= TARGET_PER_MINUTE and first.received == TOTAL,
            f"{first.read:,} alerts ({corpus}) in {len(feeds)} Atom feeds of {PER_FEED}, "
            f"{first.seconds:.1f} s: {first.received:,} stored, {first.incidents:,} incidents "
            f"(and {first.joined:,} reports joined to one), {first.superseded:,} updates "
            "superseded their original, "
            f"{first.outside:,} outside the country, {first.not_hazard:,} no watched hazard, "
            f"{first.not_actual:,} not actual, {len(first.rejected)} rejected; reading and "
            f"checking alone {checked:,.0f} alerts/min; 1 process",
        ),
        Row(
            f"alerts ingest run again ({name})",
            f"{again.received} stored",
            "0 stored",
            again.received == 0 and again.repeated == TOTAL and again.incidents == 0,
            f"{again.repeated:,} recognised as already there in {again.seconds:.1f} s",
        ),
    ]


def _ingest(ctx: Context, doctrine: Doctrine, feeds: list[bytes]) -> Ingested:
    total = Ingested()
    started = time.perf_counter()
    for n, feed in enumerate(feeds, 1):
        done = ingest_document(
            ctx, doctrine, RuleClassifier(), feed, f"feed-{n}", origin=f"bench:{n}"
        )
        for field in ("read", "received", "repeated", "incidents", "joined", "outside"):
            setattr(total, field, getattr(total, field) + getattr(done, field))
        for field in ("not_hazard", "not_actual", "superseded", "cancelled"):
            setattr(total, field, getattr(total, field) + getattr(done, field))
        total.rejected += done.rejected
    total.seconds = time.perf_counter() - started
    return total


def _reading(feeds: list[bytes]) -> float:
    started = time.perf_counter()
    count = sum(len(collect(feed, "feed").alerts) for feed in feeds)
    return 60 * count / (time.perf_counter() - started)


def _warm() -> None:
    """Load what a running server has loaded: the boundaries, districts, hazards, zones."""
    verdict(_national()[0])
    placing.warm()


def _corpus() -> tuple[list[bytes], str]:
    """The feeds: each holds its share of the foreign and of the national alerts, the latter
    in the order they were sent (a feed lists an update after its original)."""
    foreign, national = _foreign(), _national()
    count = TOTAL // PER_FEED
    feeds = []
    for n in range(count):
        part = (
            foreign[n::count]
            + national[n * len(national) // count : (n + 1) * len(national) // count]
        )
        feeds.append(_atom(n, [write_alert(a).split(b"?>", 1)[1] for a in part]))
    where = f"{len(foreign):,} from the shared samples" if foreign else "no shared samples"
    return feeds, f"{where}, {len(national):,} generated Azerbaijani"


def _foreign() -> list[Alert]:
    if not all((CAP_DIR / name).is_file() for name in VALID_12):
        return []
    templates = [
        alert for name in VALID_12 for alert in read_document((CAP_DIR / name).read_bytes()).alerts
    ]
    alerts = []
    for i in range(FOREIGN):
        template = templates[i % len(templates)]
        # Signatures signed the original identifier: a copy under another carries none.
        identifier = f"{template.identifier}.b{i:05d}"
        alerts.append(replace(template, identifier=identifier, signatures=()))
    return alerts


def _national() -> list[Alert]:
    gazetteer = load_gazetteer()
    units = [gazetteer.units[code] for code in sorted(gazetteer.adm2)]
    alerts: list[Alert] = []
    previous: Alert | None = None
    for i in range(NATIONAL):
        unit = units[i % len(units)]
        weather = (i * 7919) % 100 < WEATHER_SHARE * 100  # spread evenly, not in runs
        kinds = WEATHER if weather else HAZARDS
        category, event, language = kinds[i % len(kinds)]
        sent = START + timedelta(hours=2 * i)
        updating = previous is not None and not weather and i % UPDATE_EVERY == 0
        base = previous if updating and previous is not None else None
        lat, lon = unit.centroid
        area = Area(unit.names.get("az", unit.name), polygons=(_square(lat, lon),))
        info = Info(
            (category,),
            event,
            "Expected",
            "Severe",
            "Likely",
            language=language,
            headline=f"{event}: {area.desc}",
            areas=base.infos[0].areas if base else (area,),
        )
        alert = Alert(
            f"AZ-FHN-{i:05d}",
            SENDER,
            sent,
            "Actual",
            "Update" if base else "Alert",
            "Public",
            references=f"{base.sender},{base.identifier},{base.sent.isoformat()}" if base else None,
            infos=(_same_hazard(info, base) if base else info,),
        )
        alerts.append(alert)
        if not weather:
            previous = alert
    return alerts


def _same_hazard(info: Info, base: Alert) -> Info:
    first = base.infos[0]
    return replace(info, categories=first.categories, event=first.event, language=first.language)


def _square(lat: float, lon: float, half: float = 0.04) -> Polygon:
    s, n, w, e = lat - half, lat + half, lon - half, lon + half
    return Polygon(
        f"{s:.4f},{w:.4f} {s:.4f},{e:.4f} {n:.4f},{e:.4f} {n:.4f},{w:.4f} {s:.4f},{w:.4f}"
    )


def _atom(n: int, documents: list[bytes]) -> bytes:
    entries = b"".join(
        b"<entry><id>urn:bench:%d:%d</id><title>alert</title>"
        b'<updated>2025-03-01T10:00:00Z</updated><content type="text/xml">%s</content></entry>'
        % (n, k, document)
        for k, document in enumerate(documents)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<id>urn:bench:%d</id><title>bench</title><updated>2025-03-01T10:00:00Z</updated>%s</feed>"
        % (n, entries)
    )
