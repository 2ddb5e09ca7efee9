"""Feed subscriptions and pulls, on SQLite and PostgreSQL, with the network mocked at the
transport (httpx.MockTransport): nothing leaves the machine."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.alerts import Area, feeds_pull
from qalxan.alerts.feeds import FeedForm, add_feed, deactivate_feed, list_feeds
from qalxan.alerts.feeds_pull import Pulled, pull_feeds
from qalxan.alerts.ingest_fetch import FetchFailed, fetch
from qalxan.alerts.ingest_sources import from_folder
from qalxan.alerts.tables import AlertFeedRow, AlertRow
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.tables import IncidentRow, ReportRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.alerts.catalogue_samples import SERVICE_HEADER, service_row
from tests.alerts.ingest_samples import (
    AGENCY,
    SENDER,
    cap,
    count,
    incident_of,
    info,
    receive,
    receiver,
    rows,
    square,
)
from tests.people import load_bundled

SITE = "https://feeds.example"
LANDSLIDE = info(
    categories=("Geo",), event="Sürüşmə", areas=(Area("Quba", polygons=(square(41.19, 48.458),)),)
)


def atom(*entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<id>urn:fhn:warnings</id><title>FHN warnings</title>"
        "<updated>2025-03-01T10:00:00+04:00</updated>" + "".join(entries) + "</feed>"
    ).encode()


def entry(n: int, *, embed: bytes | None = None, link: str | None = None) -> str:
    parts = [
        f"<id>urn:fhn:{n}</id><title>Warning {n}</title><updated>2025-03-01T10:00:00Z</updated>"
    ]
    if link is not None:
        parts.append(f'<link rel="alternate" type="application/cap+xml" href="{link}"/>')
    if embed is not None:
        parts.append('<content type="text/xml">' + embed.split(b"?>", 1)[1].decode() + "</content>")
    return "<entry>" + "".join(parts) + "</entry>"


AZ_FEED = atom(entry(1, embed=cap("emb-1")), entry(2, link="alerts/2.cap"))
BROKEN_FEED = atom(
    entry(1, link=f"{SITE}/alerts/missing.cap"),
    entry(2, link="http://127.0.0.1/secret.cap"),
    entry(3, link=f"{SITE}/alerts/2.cap"),
)
QUAKES = "\n".join(
    [
        SERVICE_HEADER,
        service_row("2024-02-10T11:00:00.000Z", "40.10", "48.60", "4.2", "usfeed1", "Kurdamir"),
        service_row("2024-01-01T00:00:00.000Z", "35.70", "51.40", "4.6", "usfeed2", "Tehran"),
    ]
).encode()


class Web:
    """The sites the tests know, answering as servers do (ETag, 304, 404); counts requests."""

    def __init__(self) -> None:
        self.asked: Counter[str] = Counter()
        self.pages = {
            f"{SITE}/az.atom": AZ_FEED,
            f"{SITE}/alerts/2.cap": cap("linked-2", infos=(LANDSLIDE,)),
            f"{SITE}/broken.atom": BROKEN_FEED,
            f"{SITE}/quakes.csv": QUAKES,
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.asked[url] += 1
        if request.url.host == "down.example":
            raise httpx.ConnectError("connection refused", request=request)
        if url not in self.pages:
            return httpx.Response(404)
        etag = f'"{hash(self.pages[url]) & 0xFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            return httpx.Response(304)
        headers = {"ETag": etag, "Last-Modified": "Sat, 01 Mar 2025 06:00:00 GMT"}
        return httpx.Response(200, content=self.pages[url], headers=headers)


@pytest.fixture
def web() -> Web:
    return Web()


@pytest.fixture
def client(web: Web) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(web)) as made:
        yield made


def subscribe(ctx: Context, path: str, kind: str = "cap-atom") -> str:
    return add_feed(ctx, FeedForm(f"{SITE}{path}", kind, title=path.strip("/"))).id


def pull(ctx: Context, client: httpx.Client, **options: Any) -> list[Pulled]:
    return pull_feeds(ctx, load_bundled(), RuleClassifier(), client=client, **options)


def feed_row(engine: Engine, feed_id: str) -> AlertFeedRow:
    with session_factory(engine)() as session:
        row = session.get(AlertFeedRow, feed_id)
        assert row is not None
        return row


def test_subscriptions_belong_to_an_agency(engine: Engine, settings: Settings) -> None:
    ctx = receiver(engine, settings)
    feed_id = subscribe(ctx, "/az.atom")
    assert [f.id for f in list_feeds(ctx)] == [feed_id]
    row = feed_row(engine, feed_id)
    assert (row.owner_agency, row.kind, row.interval_minutes, row.active) == (
        AGENCY,
        "cap-atom",
        15,
        True,
    )
    with pytest.raises(Conflict, match="already subscribed"):
        subscribe(ctx, "/az.atom")
    for form, message in (
        (FeedForm("ftp://feeds.example/x", "rss"), "url: an http or https address"),
        (FeedForm(f"{SITE}/x", "geojson"), "kind: one of cap-atom, rss, usgs-csv"),
        (FeedForm(f"{SITE}/x", "rss", interval_minutes=0), "interval: from 1 to 1440"),
    ):
        with pytest.raises(InvalidInput, match=message):
            add_feed(ctx, form)
    other = Context(replace(ctx.principal, agency_id="agency-mia"), ctx.trail)
    assert list_feeds(other) == []
    with pytest.raises(NotFound):
        deactivate_feed(other, feed_id)
    with pytest.raises(Forbidden):
        subscribe(receiver(engine, settings, ("duty_officer",)), "/other.atom")
    deactivate_feed(ctx, feed_id)
    assert list_feeds(ctx) == [] and [f.id for f in list_feeds(ctx, True)] == [feed_id]


def test_a_pull_ingests_embedded_and_linked_alerts_then_asks_conditionally(
    engine: Engine, settings: Settings, web: Web, client: httpx.Client
) -> None:
    ctx = receiver(engine, settings)
    feed_id = subscribe(ctx, "/az.atom")
    # The console operator of another agency pulls: the feed's agency receives.
    operator = Context(
        replace(ctx.principal, agency_id="agency-ssscis", roles=("platform_admin",)), ctx.trail
    )
    [pulled] = pull(operator, client)
    assert pulled.error is None and pulled.ingested is not None
    done = pulled.ingested
    assert (done.kind, done.entries, done.received, done.incidents) == ("feed", 2, 2, 2)
    assert (done.rejected, done.not_fetched) == ([], [])
    stored = rows(engine)
    assert {r.owner_agency for r in stored.values()} == {AGENCY}
    assert {r.origin for r in stored.values()} == {f"feed:{feed_id}"}
    landslide = incident_of(engine, f"cap:{SENDER}:linked-2")
    assert landslide is not None and (landslide.event_type, landslide.admin1) == (
        "landslide",
        "AZ-QBA",
    )
    row = feed_row(engine, feed_id)
    assert row.etag and row.last_modified == "Sat, 01 Mar 2025 06:00:00 GMT"
    assert row.last_error is None and row.last_run_at is not None
    # Not due again before its interval; then the server says the feed has not changed.
    assert pull(ctx, client) == []
    later = datetime.now(UTC) + timedelta(minutes=16)
    [again] = pull(ctx, client, now=later)
    assert again.unchanged and again.ingested is None
    assert web.asked[f"{SITE}/alerts/2.cap"] == 1 and web.asked[f"{SITE}/az.atom"] == 2
    assert count(engine, AlertRow) == 2 and count(engine, IncidentRow) == 2
    with session_factory(engine)() as session:
        pulls = session.scalars(select(AuditRow).where(AuditRow.action == "alert_feed.pull")).all()
    assert [p.detail.get("received", "unchanged") for p in pulls] == [2, "unchanged"]
    assert {p.record_agency for p in pulls} == {AGENCY}


def test_links_that_cannot_be_fetched_are_reported_and_tried_again(
    engine: Engine, settings: Settings, web: Web, client: httpx.Client
) -> None:
    ctx = receiver(engine, settings)
    feed_id = subscribe(ctx, "/broken.atom")
    [pulled] = pull(ctx, client)
    assert pulled.ingested is not None
    assert pulled.ingested.received == 1
    missing, private = pulled.ingested.not_fetched
    assert missing.endswith(f"not fetched: url: {SITE}/alerts/missing.cap: HTTP 404 Not Found")
    assert private.endswith("http://127.0.0.1/secret.cap: a local or private address; not fetched")
    assert "http://127.0.0.1/secret.cap" not in web.asked
    # The feed's ETag is not kept, so that the next pull asks for everything again.
    assert feed_row(engine, feed_id).etag is None
    [again] = pull(ctx, client, everything=True)
    assert again.ingested is not None and again.ingested.repeated == 1


def test_a_feed_that_fails_is_recorded_and_the_others_go_on(
    engine: Engine, settings: Settings, client: httpx.Client
) -> None:
    ctx = receiver(engine, settings)
    down = add_feed(ctx, FeedForm("https://down.example/feed.atom", "cap-atom")).id
    good = subscribe(ctx, "/az.atom")
    first, second = pull(ctx, client)
    assert first.feed.id == down and first.error is not None
    assert first.error.startswith("url: https://down.example/feed.atom: connection refused")
    assert feed_row(engine, down).last_error == first.error
    assert second.ingested is not None and second.ingested.received == 2
    assert feed_row(engine, good).last_error is None
    # A deactivated feed is not pulled, even with --all.
    deactivate_feed(ctx, down)
    assert [p.feed.id for p in pull(ctx, client, everything=True)] == [good]


def test_an_earthquake_catalogue_feed(
    engine: Engine, settings: Settings, client: httpx.Client
) -> None:
    ctx = receiver(engine, settings)
    feed_id = subscribe(ctx, "/quakes.csv", "usgs-csv")
    [pulled] = pull(ctx, client, ids=[feed_id])
    assert pulled.imported is not None
    assert (pulled.imported.rows, pulled.imported.stored, pulled.imported.outside) == (2, 1, 1)
    with session_factory(engine)() as session:
        report = session.scalars(select(ReportRow)).one()
    assert (report.origin_ref, report.owner_agency) == ("usgs:usfeed1", AGENCY)


def test_fetch_limits() -> None:
    big = httpx.MockTransport(lambda request: httpx.Response(200, content=b"x" * 5000))
    with httpx.Client(transport=big) as client:
        with pytest.raises(FetchFailed, match="over the 1,000 byte limit"):
            fetch(client, f"{SITE}/big", max_bytes=1000)
        assert fetch(client, f"{SITE}/big").content == b"x" * 5000
        with pytest.raises(FetchFailed, match="only http and https"):
            fetch(client, "file:///etc/passwd")
    # Without a Content-Length, reading stops once past the limit.
    streamed = httpx.MockTransport(
        lambda request: httpx.Response(200, content=iter([b"x" * 600, b"x" * 600]))
    )
    with (
        httpx.Client(transport=streamed) as client,
        pytest.raises(FetchFailed, match=r"feeds\.example/s: over the 1,000 byte limit"),
    ):
        fetch(client, f"{SITE}/s", max_bytes=1000)


def test_a_feed_file_reads_its_linked_documents_beside_it(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "feed"
    (folder / "alerts").mkdir(parents=True)
    (folder / "alerts" / "2.cap").write_bytes(cap("beside-2"))
    (folder / "3.cap").write_bytes(cap("beside-3"))
    (tmp_path / "outside.cap").write_bytes(cap("outside"))
    feed = atom(
        entry(1, link="alerts/2.cap"),  # relative: under the folder
        entry(2, link="https://elsewhere.example/warnings/3.cap"),  # absolute: by its name
        entry(3, link="../outside.cap"),  # never outside the folder
        entry(4, link="https://elsewhere.example/none.cap"),
    )
    done = receive(receiver(engine, settings), feed, "feed.atom", from_folder(folder))
    assert (done.received, done.incidents, done.joined) == (2, 1, 1)
    assert set(rows(engine)) == {"beside-2", "beside-3"}
    assert [n.split(" -> ")[1] for n in done.not_fetched] == [
        "../outside.cap: not fetched (no such file beside the feed)",
        "https://elsewhere.example/none.cap: not fetched (no such file beside the feed)",
    ]


def test_the_background_runner_pulls_due_feeds(
    engine: Engine, settings: Settings, web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = receiver(engine, settings)
    subscribe(ctx, "/az.atom")
    monkeypatch.setattr(
        feeds_pull, "new_client", lambda: httpx.Client(transport=httpx.MockTransport(web))
    )
    cache = DoctrineCache(0)
    with feeds_pull.background(ctx, cache, RuleClassifier, 0):  # 0: never
        time.sleep(0.2)
    assert web.asked == Counter()
    with feeds_pull.background(ctx, cache, RuleClassifier, 0.05):
        deadline = time.monotonic() + 30
        while count(engine, AlertRow) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert count(engine, AlertRow) == 2
    # Pulled once: the feed is not due again for 15 minutes.
    assert web.asked[f"{SITE}/az.atom"] == 1
