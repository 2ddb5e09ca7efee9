"""``qalxan alerts import`` for CAP: where FEED's bytes come from (a file, or an http(s)
address), and the ingest of a CAP alert, an EDXL-DE envelope or an Atom/RSS feed with its
progress and summary. Exit status 1 when an alert was rejected. See docs/hazard-feeds.md.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from qalxan.access.audit import Context
from qalxan.alerts.ingest import Ingested, ingest_document
from qalxan.alerts.ingest_fetch import fetch, is_url, new_client
from qalxan.alerts.ingest_sources import Linked, from_folder, from_web, looks_like_xml
from qalxan.cli.common import console, engine, errors, settings
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import InvalidInput
from qalxan.intake import bulk, dedup
from qalxan.intake.classify import classifier_for

# Receiving alerts and storing the reports they become.
ROLES = ("emergency_manager",)
SNIFF_BYTES = 512
KINDS = {"alert": "CAP alert", "envelope": "EDXL-DE envelope", "feed": "feed"}


@dataclass(frozen=True)
class Source:
    """FEED, opened: its name in messages, its origin on the alerts, its bytes (for a file that
    is no XML document, only its path: a catalogue is read from the file), its linked documents."""

    label: str
    origin: str
    path: Path | None
    data: bytes | None
    linked: Linked | None

    @property
    def is_xml(self) -> bool:
        return self.data is not None

    @contextmanager
    def as_file(self) -> Iterator[Path]:
        """A file holding FEED (a downloaded catalogue is written to a temporary one)."""
        if self.path is not None:
            yield self.path
            return
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "feed.csv"
            path.write_bytes(self.data or b"")
            yield path


@contextmanager
def opened(feed: str, client: httpx.Client | None = None) -> Iterator[Source]:
    """FEED as a source; InvalidInput when a file is missing, FetchFailed when an address
    cannot be fetched."""
    if is_url(feed):
        with _client(client) as http:
            data = fetch(http, feed).content or b""
            if looks_like_xml(data):
                yield Source(feed, f"url:{feed}", None, data, from_web(http, feed))
            else:
                yield Source(feed, f"url:{feed}", None, data, None)
        return
    path = Path(feed)
    if not path.is_file():
        raise InvalidInput(f"FEED: {feed} is neither a file nor an http(s) address", "feed")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not looks_like_xml(head):
        yield Source(path.name, f"file:{path.name}", path, None, None)
        return
    yield Source(path.name, f"file:{path.name}", path, path.read_bytes(), from_folder(path.parent))


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with new_client() as made:
        yield made


def import_cap(ctx: Context, source: Source) -> bool:
    """Ingest the source's alerts, print what happened; False when an alert was rejected."""
    config = settings()
    db = engine()
    assert source.data is not None
    rules = dedup.Rules(config.dedup_window_hours, config.dedup_radius_km, config.dedup_threshold)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"importing {source.label}", total=None)
        done = ingest_document(
            ctx,
            DoctrineCache().current(db),
            classifier_for(config.data_dir),
            source.data,
            source.label,
            origin=source.origin,
            linked=source.linked,
            rules=rules,
            progress=lambda n: progress.advance(task, n),
            expect=lambda n: progress.update(task, total=n),
        )
    summary(source.label, done)
    return not done.rejected


def summary(label: str, done: Ingested) -> None:
    kind = KINDS.get(done.kind, "unreadable document")
    if done.kind == "feed":
        kind += f", {done.entries} entr{'y' if done.entries == 1 else 'ies'}"
    table = Table("", "alerts", title=escape(f"{label} ({kind})"), title_justify="left")
    for name, count in (
        ("read (valid CAP)", done.read),
        ("received (stored now)", done.received),
        ("  incidents made", done.incidents),
        ("  reports joined to existing incidents", done.joined),
        ("  outside the country (stored, no incident)", done.outside),
        ("  not a hazard the platform watches", done.not_hazard),
        ("  not an actual alert or update (test, exercise, cancel...)", done.not_actual),
        ("already there", done.repeated),
        ("earlier alerts superseded / cancelled", f"{done.superseded} / {done.cancelled}"),
        ("rejected", len(done.rejected)),
        ("linked documents not fetched", len(done.not_fetched)),
    ):
        table.add_row(name, f"{count:,}" if isinstance(count, int) else count)
    console.print(table)
    console.print(f"{done.per_minute:,.0f} alerts/min")
    for title, problems in (("rejected ", done.rejected), ("", done.not_fetched)):
        for problem in problems[: bulk.MAX_ERRORS_SHOWN]:
            errors.print(f"  {title}{escape(problem)}")
        if len(problems) > bulk.MAX_ERRORS_SHOWN:
            more = len(problems) - bulk.MAX_ERRORS_SHOWN
            errors.print(f"  ... and {more:,} more {title or 'not fetched'}")
