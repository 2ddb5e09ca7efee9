"""Subscriptions to external warning feeds: add, list, deactivate. Every call is audited.

A feed belongs to the agency that subscribed to it, which owns what is received from it.
Subscribing needs ``alert:create`` (the same right as receiving alerts), deactivating
``alert:update``, listing ``alert:read``; each concerns the caller's own agency only (another
agency's feed answers like a missing one). A feed is never deleted: deactivated, it is no longer
pulled, and what came from it stays. Pulling is :mod:`qalxan.alerts.feeds_pull`.

Kinds (:data:`KINDS`): ``cap-atom``, an Atom feed of CAP alerts (embedded or linked);
``rss``, the same in RSS 2.0; ``usgs-csv``, a USGS ComCat CSV query (earthquakes, read by
:mod:`qalxan.alerts.catalogues`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import select

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.alerts.ingest_fetch import is_url
from qalxan.alerts.rows import RECORD_TYPE, actor_of
from qalxan.alerts.tables import AlertFeedRow
from qalxan.errors import Conflict, InvalidInput, NotFound
from qalxan.store.ids import new_id

FEED_TYPE = "alert_feed"
KINDS = {
    "cap-atom": "Atom feed of CAP alerts",
    "rss": "RSS feed of CAP alerts",
    "usgs-csv": "USGS ComCat earthquake CSV",
}
MAX_URL = 1000
MAX_TITLE = 200
MIN_INTERVAL, MAX_INTERVAL = 1, 24 * 60


@dataclass(frozen=True)
class FeedForm:
    url: str
    kind: str
    title: str | None = None
    interval_minutes: int = 15


def add_feed(ctx: audit.Context, form: FeedForm) -> AlertFeedRow:
    feed_id = new_id()
    with audit.recorded(ctx, f"{FEED_TYPE}.create", FEED_TYPE, feed_id) as rec:
        agency = _agency(ctx.principal, "create")
        rec.entry.record_agency = agency
        url = _url(form.url)
        if form.kind not in KINDS:
            raise InvalidInput(f"kind: one of {', '.join(KINDS)}", field="kind")
        if not MIN_INTERVAL <= form.interval_minutes <= MAX_INTERVAL:
            raise InvalidInput(
                f"interval: from {MIN_INTERVAL} to {MAX_INTERVAL} minutes", field="interval"
            )
        taken = select(AlertFeedRow.id).where(AlertFeedRow.url == url)
        if rec.session.scalars(taken).first() is not None:
            raise Conflict(f"url: a feed of {url} is already subscribed", field="url")
        title = (form.title or "").strip() or urlsplit(url).netloc
        row = AlertFeedRow(
            id=feed_id,
            title=title[:MAX_TITLE],
            url=url,
            kind=form.kind,
            interval_minutes=form.interval_minutes,
            active=True,
            owner_agency=agency,
            created_by=actor_of(ctx.principal),
            created_at=datetime.now(UTC),
        )
        rec.session.add(row)
        rec.entry.detail = {"url": url, "kind": form.kind, "interval": form.interval_minutes}
    return row


def list_feeds(ctx: audit.Context, include_inactive: bool = False) -> list[AlertFeedRow]:
    """The feeds of the caller's agency, by title."""
    with audit.recorded(ctx, f"{FEED_TYPE}.list", FEED_TYPE) as rec:
        agency = _agency(ctx.principal, "read")
        query = select(AlertFeedRow).where(AlertFeedRow.owner_agency == agency)
        if not include_inactive:
            query = query.where(AlertFeedRow.active)
        rows = list(rec.session.scalars(query.order_by(AlertFeedRow.title, AlertFeedRow.id)))
        rec.entry.detail = {"ids": [r.id for r in rows]}
    return rows


def deactivate_feed(ctx: audit.Context, feed_id: str) -> AlertFeedRow:
    with audit.recorded(ctx, f"{FEED_TYPE}.deactivate", FEED_TYPE, feed_id) as rec:
        agency = _agency(ctx.principal, "update")
        row = rec.session.get(AlertFeedRow, feed_id)
        if row is None or row.owner_agency != agency:
            raise NotFound(f"no alert feed has the id {feed_id!r}", field="id")
        rec.entry.record_agency = row.owner_agency
        row.active = False
    return row


def _agency(principal: Principal, action: str) -> str:
    policy.require(principal, RECORD_TYPE, action)
    if principal.agency_id is None:
        raise InvalidInput("agency: feeds belong to an agency", field="agency")
    return principal.agency_id


def _url(text: str) -> str:
    url = text.strip()
    if not is_url(url) or not urlsplit(url).netloc:
        raise InvalidInput("url: an http or https address", field="url")
    if len(url) > MAX_URL:
        raise InvalidInput(f"url: at most {MAX_URL} characters", field="url")
    return url
