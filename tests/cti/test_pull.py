"""The partner pull client against the platform's own TAXII server: a second installation (its
own database, served on loopback) plays the partner; the feed fills a collection of the
installation under test. Resuming from the high-water mark, idempotence, credentials and
failures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from taxii2client.v21 import Collection

from qalxan.access.tables import AuditRow
from qalxan.cti import pull, statistics
from qalxan.cti.tables import CtiEntryRow, CtiFeedRow, CtiObjectRow
from qalxan.cti.taxii import feeds
from qalxan.errors import Forbidden, InvalidInput
from qalxan.store.engine import transaction
from tests.cti.taxii_support import (  # noqa: F401
    MIA,
    PASSWORD,
    ROOT,
    Cast,
    Site,
    cast,
    partner_site,
)

KEY_ENV = "QALXAN_TEST_PARTNER_KEY"


def malware(n: int) -> dict[str, Any]:
    return {
        "type": "malware",
        "spec_version": "2.1",
        "id": f"malware--{uuid.uuid5(uuid.NAMESPACE_DNS, f'family-{n}')}",
        "created": "2024-03-01T00:00:00.000Z",
        "modified": "2024-03-01T00:00:00.000Z",
        "name": f"Family {n}",
        "is_family": True,
    }


def local_ids(crew: Cast, collection_id: str) -> list[str]:
    with transaction(crew.engine) as session:
        query = (
            select(CtiObjectRow.stix_id)
            .join(CtiEntryRow, CtiEntryRow.object_id == CtiObjectRow.id)
            .where(CtiEntryRow.collection_id == collection_id)
            .order_by(CtiEntryRow.date_added)
        )
        return list(session.scalars(query))


def feed_row(crew: Cast, feed_id: str) -> CtiFeedRow:
    with transaction(crew.engine) as session:
        return session.get_one(CtiFeedRow, feed_id)


@pytest.fixture
def partner(partner_site: Site) -> Collection:  # noqa: F811
    """The partner's collection, holding five objects."""
    their = partner_site.cast
    collection_id = their.collection("Partner")
    url = f"{partner_site.url}{ROOT}/collections/{collection_id}/"
    remote = Collection(url, auth=their.auth(their.cert))
    assert remote.add_objects({"objects": [malware(n) for n in range(5)]}).success_count == 5
    return remote


def add_feed(cast: Cast, remote: Collection, **how: Any) -> tuple[str, str]:  # noqa: F811
    local = cast.collection("From the partner")
    feed = feeds.add(
        cast.ctx(cast.cert),
        title="Partner CERT",
        api_root_url=remote.url.split("collections/")[0],
        remote_collection=remote.id,
        local_collection=local,
        **how,
    )
    return feed.id, local


def test_pull_resumes_from_the_high_water_mark(
    cast: Cast,  # noqa: F811
    partner_site: Site,  # noqa: F811
    partner: Collection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(KEY_ENV, partner_site.cast.cert.key or "")
    feed_id, local = add_feed(cast, partner, secret_env=KEY_ENV)
    manifest = partner.get_manifest()["objects"]
    ctx = cast.ctx(cast.cert)
    first = pull.pull(ctx, feed_id, page_size=2, max_pages=1)
    assert (first.pages, first.received, first.stored, first.error) == (1, 2, 2, None)
    assert feed_row(cast, feed_id).added_after == manifest[1]["date_added"]
    rest = pull.pull(ctx, feed_id, page_size=2)
    assert (rest.pages, rest.received, rest.stored) == (2, 3, 3)
    assert local_ids(cast, local) == [m["id"] for m in manifest]
    assert feed_row(cast, feed_id).added_after == manifest[-1]["date_added"]
    nothing = pull.pull(ctx, feed_id)
    assert (nothing.pages, nothing.received, nothing.stored) == (1, 0, 0)
    partner.add_objects({"objects": [malware(5), malware(6)]})
    more = pull.pull(ctx, feed_id)
    assert (more.received, more.stored) == (2, 2)
    assert len(local_ids(cast, local)) == 7
    row = feed_row(cast, feed_id)
    assert row.last_error is None and row.last_run_at is not None
    with transaction(cast.engine) as session:
        pages = session.scalars(
            select(AuditRow).where(
                AuditRow.action == "cti.feed.page", AuditRow.record_id == feed_id
            )
        ).all()
    assert [p.detail["stored"] for p in pages] == [2, 2, 1, 0, 2]


def test_pulling_again_stores_nothing_twice(
    cast: Cast,  # noqa: F811
    partner: Collection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(KEY_ENV, PASSWORD)
    feed_id, local = add_feed(cast, partner, username="cert", secret_env=KEY_ENV)
    ctx = cast.ctx(cast.cert)
    assert pull.pull(ctx, feed_id).stored == 5
    with transaction(cast.engine) as session:
        session.get_one(CtiFeedRow, feed_id).added_after = None  # the mark is lost
    again = pull.pull(ctx, feed_id)
    assert (again.received, again.stored, again.already, again.error) == (5, 0, 5, None)
    assert len(local_ids(cast, local)) == 5
    with transaction(cast.engine) as session:
        count = len(session.scalars(select(CtiObjectRow.id)).all())
    assert count == 5


def test_a_bulk_pull_is_analysed_once_its_pages_are_stored(
    cast: Cast,  # noqa: F811
    partner_site: Site,  # noqa: F811
    partner: Collection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(KEY_ENV, partner_site.cast.cert.key or "")
    monkeypatch.setattr(statistics, "BULK", 4)  # more than any page, less than the pull
    feed_id, _ = add_feed(cast, partner, secret_env=KEY_ENV)
    done = pull.pull(cast.ctx(cast.cert), feed_id, page_size=2)
    assert (done.pages, done.stored) == (3, 5)
    if statistics.is_postgresql(cast.engine):
        with cast.engine.connect() as connection:
            counted = connection.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = CAST('cti_objects' AS regclass)")
            ).scalar_one()
        assert counted == 5


def test_failures_are_recorded_on_the_feed(
    cast: Cast,  # noqa: F811
    partner_site: Site,  # noqa: F811
    partner: Collection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    feed_id, _ = add_feed(cast, partner, secret_env=KEY_ENV)
    missing = pull.pull(cast.ctx(cast.cert), feed_id)
    assert missing.error == f"secret_env: {KEY_ENV} is not set"
    assert feed_row(cast, feed_id).last_error == missing.error
    monkeypatch.setenv(KEY_ENV, "qx_wrong_key")
    refused = pull.pull(cast.ctx(cast.cert), feed_id)
    assert refused.error is not None and "401" in refused.error
    monkeypatch.setenv(KEY_ENV, partner_site.cast.reader.key or "")
    hidden = pull.pull(cast.ctx(cast.cert), feed_id)  # the reader may not see the partner's
    assert hidden.error is not None and "404" in hidden.error
    assert feed_row(cast, feed_id).added_after is None


def test_scheduled_runs_pull_the_due_feeds(
    cast: Cast,  # noqa: F811
    partner_site: Site,  # noqa: F811
    partner: Collection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(KEY_ENV, partner_site.cast.cert.key or "")
    feed_id, local = add_feed(cast, partner, secret_env=KEY_ENV, interval_minutes=30)
    system = cast.ctx(cast.writer)  # the scheduler acts for each feed's owning agency
    assert [r.stored for r in pull.run_due(system)] == [5]
    assert pull.run_due(system) == []  # pulled a moment ago
    assert [r.received for r in pull.run_due(system, everything=True)] == [0]
    assert len(local_ids(cast, local)) == 5
    row = feed_row(cast, feed_id)
    assert feeds.due([row], datetime.now(UTC)) == []


def test_feeds_are_checked(cast: Cast, partner: Collection) -> None:  # noqa: F811
    local = cast.collection("Mine", read=(MIA,))
    ctx = cast.ctx(cast.cert)
    good: dict[str, Any] = {
        "title": "Partner",
        "api_root_url": partner.url.split("collections/")[0],
        "remote_collection": partner.id,
        "local_collection": local,
    }
    for bad, field in (
        ({"api_root_url": "ftp://partner.example/taxii2/"}, "api_root_url"),
        ({"secret_env": "not a name"}, "secret_env"),
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"local_collection": "nowhere"}, "local_collection"),
    ):
        with pytest.raises(InvalidInput) as refused:
            feeds.add(ctx, **{**good, **bad})
        assert refused.value.field == field
    with pytest.raises(Forbidden):  # MIA may read the collection but not fill it
        feeds.add(cast.ctx(cast.writer), **good)
    hidden = {**good, "local_collection": cast.collection("Not shared")}
    with pytest.raises(InvalidInput) as unknown:  # nor know of one not shared with it
        feeds.add(cast.ctx(cast.writer), **hidden)
    assert unknown.value.field == "local_collection"
    mine = feeds.add(ctx, **good)
    assert mine.api_root_url.endswith(f"/{ROOT}/")
    assert [f.id for f in feeds.listing(ctx)] == [mine.id]
    assert feeds.listing(cast.ctx(cast.writer)) == []
