"""Pulling partners' TAXII collections (:mod:`qalxan.cti.taxii.feeds`) with ``taxii2-client``.

A pull asks the partner for the objects added after the feed's high-water mark, page by page
(``as_pages``; the partner chooses the page size unless one is given). Each page is stored
through :func:`qalxan.cti.store.put` into the local collection, owned by the feed's agency,
and the mark moves to the page's ``X-TAXII-Date-Added-Last`` in the same audited transaction:
a pull cut short (network, crash, ``max_pages``) resumes after the last page stored, and a
page read twice stores nothing twice. A partner that sends no such header cannot be resumed:
each pull then reads the whole collection again (harmlessly). The network is never used inside
a database transaction.

:func:`run_due` pulls every feed whose interval has passed; :func:`background` does that from a
thread while the web server runs. A scheduled pull acts for the feed's owning agency, which
was checked to be able to write the local collection when the feed was added, and is checked
again on every pull.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import requests
from requests.auth import AuthBase
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, as_pages

from qalxan.access import audit
from qalxan.cti import collections, statistics, store
from qalxan.cti.tables import CtiCollectionRow, CtiFeedRow
from qalxan.cti.taxii import feeds
from qalxan.errors import InvalidInput, QalxanError
from qalxan.store.engine import transaction
from qalxan.store.periodic import periodic

ADDED_LAST = "X-TAXII-Date-Added-Last"
NETWORK_ERRORS = (requests.RequestException, TAXIIServiceException, ValueError)


@dataclass
class Pulled:
    feed_id: str
    pages: int = 0
    received: int = 0
    stored: int = 0
    already: int = 0
    failed: int = 0
    added_after: str | None = None
    error: str | None = None


class _Credentials(AuthBase):
    """Signs each request and notes the ``X-TAXII-Date-Added-Last`` of each answer (the
    client returns only the parsed body)."""

    def __init__(self, header: str | None) -> None:
        self.header = header
        self.added_last: str | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.header is not None:
            request.headers["Authorization"] = self.header
        request.register_hook("response", self._seen)
        return request

    def _seen(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.added_last = response.headers.get(ADDED_LAST)


def credentials(feed: CtiFeedRow) -> _Credentials:
    """Basic with the user name and the secret; Bearer with the secret alone; none without."""
    secret = None
    if feed.secret_env is not None:
        secret = os.environ.get(feed.secret_env)
        if not secret:
            raise InvalidInput(f"secret_env: {feed.secret_env} is not set", field="secret_env")
    if feed.username is not None:
        pair = base64.b64encode(f"{feed.username}:{secret or ''}".encode()).decode()
        return _Credentials(f"Basic {pair}")
    return _Credentials(f"Bearer {secret}" if secret else None)


def pull(
    ctx: audit.Context, feed_id: str, *, page_size: int = 0, max_pages: int | None = None
) -> Pulled:
    """Pull one feed of the caller's agency; a failure is recorded on the feed and returned."""
    engine = ctx.trail.engine
    with transaction(engine) as session:
        feed = feeds.get(session, ctx.principal, feed_id)
    done = Pulled(feed.id, added_after=feed.added_after)
    try:
        signer = credentials(feed)
        url = f"{feed.api_root_url}collections/{feed.remote_collection}/"
        with Collection(url, auth=signer) as remote:
            pages = as_pages(remote.get_objects, page_size, added_after=feed.added_after)
            for envelope in pages:
                _store(ctx, feed, envelope.get("objects", []), signer.added_last, done)
                if max_pages is not None and done.pages >= max_pages:
                    break
    except (*NETWORK_ERRORS, QalxanError) as exc:
        done.error = (exc.message if isinstance(exc, QalxanError) else repr(exc))[:1000]
    _finish(ctx, feed, done)
    # The pages committed one by one: the pull as a whole is the bulk import.
    statistics.after_import(engine, done.stored)
    return done


def _store(
    ctx: audit.Context,
    feed: CtiFeedRow,
    objects: list[Any],
    added_last: str | None,
    done: Pulled,
) -> None:
    with audit.recorded(ctx, "cti.feed.page", feeds.AUDIT_TYPE, feed.id) as rec:
        session = rec.session
        # Two workers pulling the same feed store one page after the other, not both at once.
        row = session.get_one(CtiFeedRow, feed.id, with_for_update=True)
        local = session.get(CtiCollectionRow, row.local_collection)
        if local is None:
            raise InvalidInput("local_collection: the collection is gone", "local_collection")
        collections.get(session, ctx.principal, local.api_root, local.id, "write")
        rec.entry.record_agency = feed.owner_agency
        good = [o for o in objects if isinstance(o, dict)]
        outcome = store.put(
            session,
            good,
            agency=feed.owner_agency,
            actor=ctx.principal.username,
            collection_id=local.id,
        )
        if added_last is not None:
            row.added_after = added_last
            done.added_after = added_last
        done.pages += 1
        done.received += len(objects)
        done.stored += len(outcome.stored)
        done.already += len(outcome.already)
        done.failed += len(outcome.failures) + len(objects) - len(good)
        rec.entry.detail = {
            "received": len(objects),
            "stored": len(outcome.stored),
            "already": len(outcome.already),
            "failed": [f"{f.stix_id} {f.version}: {f.reason}" for f in outcome.failures[:20]],
            "added_after": added_last,
        }


def _finish(ctx: audit.Context, feed: CtiFeedRow, done: Pulled) -> None:
    with audit.recorded(ctx, "cti.feed.pull", feeds.AUDIT_TYPE, feed.id) as rec:
        rec.entry.record_agency = feed.owner_agency
        row = rec.session.get_one(CtiFeedRow, feed.id)
        row.last_run_at = datetime.now(UTC)
        row.last_error = done.error
        rec.entry.detail = {
            "pages": done.pages,
            "received": done.received,
            "stored": done.stored,
            "error": done.error,
        }


def run_due(ctx: audit.Context, *, everything: bool = False) -> list[Pulled]:
    """Pull every active feed whose interval has passed (every active one with
    ``everything``), each for its owning agency."""
    with transaction(ctx.trail.engine) as session:
        found = feeds.active(session)
    chosen = found if everything else feeds.due(found, datetime.now(UTC))
    results: list[Pulled] = []
    for feed in chosen:
        owner = replace(ctx.principal, agency_id=feed.owner_agency)
        try:
            results.append(pull(replace(ctx, principal=owner), feed.id))
        except QalxanError as exc:  # a feed the runner may no longer act for
            results.append(Pulled(feed.id, error=exc.message))
    return results


@contextmanager
def background(ctx: audit.Context, every_seconds: float) -> Iterator[None]:
    """While the block runs, pull the due feeds every ``every_seconds`` (0: never)."""
    if every_seconds <= 0:
        yield
        return
    with periodic(
        "qalxan-taxii-pull",
        every_seconds,
        lambda: run_due(ctx),
        "pulling the partners' TAXII feeds failed; retrying at the next interval",
    ):
        yield
