"""Pulling the subscribed feeds: fetch each (conditionally: an unchanged feed answers 304 and
costs nothing), ingest what it holds, and remember how it went.

A pull acts for the feed's agency, which owns what is received (the caller is the console
operator or the server's background runner: ``ctx`` gives the name in the audit trail). A feed is
claimed before it is fetched, in a transaction that locks its row: of several server workers
running :func:`background`, one pulls it. A failure (unreachable, refused, not a feed) never
stops the other feeds: it is kept in the feed's ``last_error`` and audited. Each pull is audited
as ``alert_feed.pull`` with what it found, beside the ingest's own records.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from qalxan.access import audit
from qalxan.access.sessions import aware
from qalxan.alerts import catalogues
from qalxan.alerts.catalogues import Imported
from qalxan.alerts.feeds import FEED_TYPE
from qalxan.alerts.ingest import Ingested, ingest_document
from qalxan.alerts.ingest_fetch import Fetched, fetch, new_client
from qalxan.alerts.ingest_sources import from_web
from qalxan.alerts.tables import AlertFeedRow
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import QalxanError
from qalxan.intake import dedup
from qalxan.intake.classify import Classifier
from qalxan.store.engine import session_factory, write_transaction
from qalxan.store.periodic import periodic

# What a pull may do for the feed's agency: receive alerts and store the reports they become.
PULL_ROLES = ("emergency_manager",)
MAX_ERROR = 2000


@dataclass(frozen=True)
class Subscription:
    """A feed as claimed for one pull (plain values: the row's session has ended)."""

    id: str
    title: str
    url: str
    kind: str
    owner_agency: str
    etag: str | None
    last_modified: str | None


@dataclass
class Pulled:
    """How a pull went: unchanged (304), ingested (CAP), imported (a catalogue), or failed."""

    feed: Subscription
    unchanged: bool = False
    ingested: Ingested | None = None
    imported: Imported | None = None
    error: str | None = None


def due(row: AlertFeedRow, now: datetime) -> bool:
    if row.last_run_at is None:
        return True
    return aware(row.last_run_at) + timedelta(minutes=row.interval_minutes) <= now


def pull_feeds(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    *,
    ids: Sequence[str] = (),
    everything: bool = False,
    client: httpx.Client | None = None,
    rules: dedup.Rules | None = None,
    now: datetime | None = None,
) -> list[Pulled]:
    """Pull the active feeds that are due (all of them with ``everything``; those of ``ids``,
    due or not, when given), in the order they were subscribed."""
    now = now or datetime.now(UTC)
    query = select(AlertFeedRow.id).where(AlertFeedRow.active)
    if ids:
        query = query.where(AlertFeedRow.id.in_(ids))
    with session_factory(ctx.trail.engine)() as session:
        found = list(session.scalars(query.order_by(AlertFeedRow.created_at, AlertFeedRow.id)))
    force = everything or bool(ids)
    pulled = []
    with _client(client) as http:
        for feed_id in found:
            feed = _claim(ctx, feed_id, now, force)
            if feed is not None:
                pulled.append(_pull(ctx, doctrine, classifier, feed, http, rules))
    return pulled


@contextmanager
def background(
    ctx: audit.Context,
    cache: DoctrineCache,
    classifier: Callable[[], Classifier],
    every_seconds: float,
) -> Iterator[None]:
    """While the block runs, pull the due feeds from a background thread every
    ``every_seconds`` (0: never; ``qalxan alerts feeds pull`` then does it)."""
    if every_seconds <= 0:
        yield
        return
    with periodic(
        "qalxan-alert-feeds",
        every_seconds,
        lambda: pull_feeds(ctx, cache.current(ctx.trail.engine), classifier()),
        "pulling the alert feeds failed; retrying at the next interval",
    ):
        yield


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with new_client() as made:
        yield made


def _claim(ctx: audit.Context, feed_id: str, now: datetime, force: bool) -> Subscription | None:
    with write_transaction(ctx.trail.engine) as session:
        query = select(AlertFeedRow).where(AlertFeedRow.id == feed_id).with_for_update()
        row = session.scalars(query).first()
        if row is None or not row.active or not (force or due(row, now)):
            return None
        row.last_run_at = now
        return Subscription(
            row.id, row.title, row.url, row.kind, row.owner_agency, row.etag, row.last_modified
        )


def _pull(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    feed: Subscription,
    client: httpx.Client,
    rules: dedup.Rules | None,
) -> Pulled:
    acting = _acting(ctx, feed)
    pulled = Pulled(feed)
    answer: Fetched | None = None
    try:
        answer = fetch(client, feed.url, feed.etag, feed.last_modified)
        if answer.content is None:
            pulled.unchanged = True
        elif feed.kind == "usgs-csv":
            pulled.imported = _catalogue(acting, doctrine, classifier, answer.content)
        else:
            pulled.ingested = ingest_document(
                acting,
                doctrine,
                classifier,
                answer.content,
                feed.title,
                origin=f"feed:{feed.id}",
                linked=from_web(client, feed.url),
                rules=rules,
            )
    except QalxanError as exc:
        pulled.error = exc.message[:MAX_ERROR]
    _finish(acting, feed, answer, pulled)
    return pulled


def _acting(ctx: audit.Context, feed: Subscription) -> audit.Context:
    principal = replace(ctx.principal, agency_id=feed.owner_agency, unit_id=None, roles=PULL_ROLES)
    return replace(ctx, principal=principal)


def _catalogue(
    ctx: audit.Context, doctrine: Doctrine, classifier: Classifier, content: bytes
) -> Imported:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.csv"
        path.write_bytes(content)
        return catalogues.import_file(ctx, doctrine, classifier, path, fmt="usgs-comcat")


def _finish(ctx: audit.Context, feed: Subscription, answer: Fetched | None, pulled: Pulled) -> None:
    with audit.recorded(ctx, f"{FEED_TYPE}.pull", FEED_TYPE, feed.id) as rec:
        rec.entry.record_agency = feed.owner_agency
        row = rec.session.get(AlertFeedRow, feed.id)
        if row is None:
            return
        row.last_error = pulled.error
        if answer is not None and answer.content is not None and _complete(pulled):
            row.etag, row.last_modified = answer.etag, answer.last_modified
        rec.entry.detail = _detail(pulled)


def _complete(pulled: Pulled) -> bool:
    """Whether everything the feed offered was read: only then is its ETag kept (a linked
    document that could not be fetched is tried again at the next pull)."""
    if pulled.error is not None:
        return False
    return pulled.ingested is None or not pulled.ingested.not_fetched


def _detail(pulled: Pulled) -> dict[str, object]:
    if pulled.error is not None:
        return {"error": pulled.error}
    if pulled.unchanged:
        return {"unchanged": True}
    if pulled.imported is not None:
        done = pulled.imported
        return {"rows": done.rows, "stored": done.stored, "rejected": len(done.rejected)}
    ingested = pulled.ingested
    assert ingested is not None
    return {
        "read": ingested.read,
        "received": ingested.received,
        "repeated": ingested.repeated,
        "incidents": ingested.incidents,
        "rejected": len(ingested.rejected),
        "not_fetched": len(ingested.not_fetched),
    }
