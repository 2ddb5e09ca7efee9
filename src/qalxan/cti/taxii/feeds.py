"""Partners' TAXII collections that the platform pulls into one of its own collections.

A feed names the partner's API root and collection, the local collection it fills, and how
to sign in: a user name (HTTP Basic) and/or the name of the environment variable holding the
password or API key (sent as a Bearer token without a user name). Secrets are never stored.
A feed belongs to the agency that added it, which must be able to write the local collection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.cti import collections
from qalxan.cti.tables import CtiCollectionRow, CtiFeedRow
from qalxan.cti.taxii.paging import aware
from qalxan.errors import InvalidInput, NotFound, required_text
from qalxan.store.ids import new_id

AUDIT_TYPE = "cti_feed"
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,79}$")
MAX_INTERVAL = 7 * 24 * 60


def add(
    ctx: audit.Context,
    *,
    title: str,
    api_root_url: str,
    remote_collection: str,
    local_collection: str,
    username: str | None = None,
    secret_env: str | None = None,
    interval_minutes: int = 60,
) -> CtiFeedRow:
    """A new feed of the caller's agency into ``local_collection`` (which it must be able to
    write)."""
    feed_id = new_id()
    with audit.recorded(ctx, "cti.feed.add", AUDIT_TYPE, feed_id) as rec:
        principal = ctx.principal
        owner = policy.check_create(principal, collections.RECORD_TYPE, None, 0)
        rec.entry.record_agency = owner
        local = rec.session.get(CtiCollectionRow, local_collection)
        try:
            if local is None:
                raise NotFound("no such collection")
            collections.get(rec.session, principal, local.api_root, local.id, "write")
        except NotFound:
            raise InvalidInput(
                f"local_collection: no collection has the id {local_collection!r}",
                field="local_collection",
            ) from None
        if secret_env is not None and not ENV_NAME.match(secret_env):
            raise InvalidInput(
                "secret_env: an environment variable name (A-Z, 0-9, _)", "secret_env"
            )
        if not 1 <= interval_minutes <= MAX_INTERVAL:
            raise InvalidInput(
                f"interval_minutes: between 1 and {MAX_INTERVAL}", field="interval_minutes"
            )
        feed = CtiFeedRow(
            id=feed_id,
            title=required_text(title, "title", 200),
            api_root_url=check_url(api_root_url),
            remote_collection=required_text(remote_collection, "remote_collection", 80),
            local_collection=local.id,
            username=(username or "").strip() or None,
            secret_env=secret_env,
            interval_minutes=interval_minutes,
            owner_agency=owner,
            created_by=principal.username[:200],
        )
        rec.session.add(feed)
        rec.entry.detail = {
            "api_root_url": feed.api_root_url,
            "remote_collection": feed.remote_collection,
            "local_collection": feed.local_collection,
        }
    return feed


def check_url(url: str) -> str:
    """An API root's URL, ending in ``/``."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > 490:
        raise InvalidInput("api_root_url: an http(s) URL of a TAXII API root", "api_root_url")
    return text if text.endswith("/") else f"{text}/"


def listing(ctx: audit.Context) -> list[CtiFeedRow]:
    """The feeds of the caller's agency."""
    with audit.recorded(ctx, "cti.feed.list", AUDIT_TYPE) as rec:
        policy.require(ctx.principal, collections.RECORD_TYPE, policy.READ)
        found = list(rec.session.scalars(_mine(ctx.principal)))
        rec.entry.detail = {"count": len(found)}
    return found


def _mine(principal: Principal) -> Select[CtiFeedRow]:
    query = select(CtiFeedRow).order_by(CtiFeedRow.created_at)
    if principal.scope(collections.RECORD_TYPE, policy.READ) == "any":
        return query
    return query.where(CtiFeedRow.owner_agency == principal.agency_id)


def get(session: Session, principal: Principal, feed_id: str) -> CtiFeedRow:
    """The feed, if it is the caller's agency's."""
    feed = session.get(CtiFeedRow, feed_id)
    mine = feed is not None and (
        feed.owner_agency == principal.agency_id
        or principal.scope(collections.RECORD_TYPE, "create") == "any"
    )
    if feed is None or not mine:
        raise NotFound(f"no feed has the id {feed_id!r}", field="feed_id")
    return feed


def due(feeds: Sequence[CtiFeedRow], now: datetime) -> list[CtiFeedRow]:
    """The active feeds whose interval has passed since their last run."""
    return [
        f
        for f in feeds
        if f.active
        and (
            f.last_run_at is None
            or aware(f.last_run_at) + timedelta(minutes=f.interval_minutes) <= now
        )
    ]


def active(session: Session) -> list[CtiFeedRow]:
    query = select(CtiFeedRow).where(CtiFeedRow.active.is_(True)).order_by(CtiFeedRow.created_at)
    return list(session.scalars(query))
