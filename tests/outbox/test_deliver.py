"""Delivery: claimed, sent once, retried with backoff, given up; held messages left alone."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, text

from qalxan.outbox import adapters
from qalxan.outbox.deliver import LEASE, Summary, background, backoff, deliver
from qalxan.outbox.envelope import DeliveryError, Rejected
from qalxan.outbox.tables import FAILED, PENDING, SENT
from qalxan.settings import Settings
from qalxan.store.engine import is_sqlite, make_engine
from tests.outbox.shared import SECRET, T0, Received, Recorder, aware, message, read, sending, store

MINUTE = timedelta(minutes=1)


def test_backoff_doubles_from_a_minute_up_to_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    assert backoff(9) == timedelta(hours=4, minutes=16)
    assert backoff(10) == backoff(500) == timedelta(hours=6)


def test_a_sent_message_is_never_sent_again(engine: Engine, settings: Settings) -> None:
    (row,) = store(engine, message())
    recorder = Recorder()
    assert deliver(engine, settings, {"webhook": recorder}, now=T0) == Summary(sent=1)
    stored = read(engine, row.id)
    assert (stored.status, stored.attempts, aware(stored.sent_at)) == (SENT, 1, T0)
    # Enqueued again (same key), and delivered again much later: nothing more goes out.
    store(engine, message())
    for later in (T0 + LEASE, T0 + timedelta(days=30)):
        assert deliver(engine, settings, {"webhook": recorder}, now=later) == Summary()
    assert [m.id for m in recorder.sent] == [row.id]
    assert recorder.sent[0].body == row.body


def test_failures_are_retried_with_backoff_then_given_up(
    engine: Engine, settings: Settings
) -> None:
    config = settings.model_copy(update={"outbox_max_attempts": 3})
    (row,) = store(engine, message())
    recorder = Recorder(*(DeliveryError("the endpoint is down") for _ in range(5)))
    adapters_ = {"webhook": recorder}

    assert deliver(engine, config, adapters_, now=T0) == Summary(retrying=1)
    stored = read(engine, row.id)
    assert (stored.status, stored.attempts) == (PENDING, 1)
    assert aware(stored.not_before) == T0 + MINUTE
    assert aware(stored.last_attempt_at) == T0
    assert stored.last_error == "the endpoint is down"

    assert deliver(engine, config, adapters_, now=T0 + MINUTE - timedelta(seconds=1)) == Summary()
    assert deliver(engine, config, adapters_, now=T0 + MINUTE) == Summary(retrying=1)
    assert aware(read(engine, row.id).not_before) == T0 + 3 * MINUTE
    assert deliver(engine, config, adapters_, now=T0 + 3 * MINUTE) == Summary(failed=1)
    stored = read(engine, row.id)
    assert (stored.status, stored.attempts) == (FAILED, 3)
    assert deliver(engine, config, adapters_, now=T0 + timedelta(days=1)) == Summary()
    assert recorder.sent == []
    assert len(recorder.failures) == 2  # never tried a fourth time


def test_a_retry_that_succeeds_is_sent(engine: Engine, settings: Settings) -> None:
    (row,) = store(engine, message())
    recorder = Recorder(DeliveryError("busy"))
    deliver(engine, settings, {"webhook": recorder}, now=T0)
    assert deliver(engine, settings, {"webhook": recorder}, now=T0 + MINUTE) == Summary(sent=1)
    stored = read(engine, row.id)
    assert (stored.status, stored.attempts, aware(stored.sent_at)) == (SENT, 2, T0 + MINUTE)
    assert stored.last_error == "busy"  # the history of the earlier attempt


def test_a_refusal_for_good_gives_up_at_once(engine: Engine, settings: Settings) -> None:
    (row,) = store(engine, message())
    recorder = Recorder(Rejected("https://soc… answered 410 Gone"))
    assert deliver(engine, settings, {"webhook": recorder}, now=T0) == Summary(failed=1)
    stored = read(engine, row.id)
    assert (stored.status, stored.attempts) == (FAILED, 1)
    assert stored.last_error == "Rejected: https://soc… answered 410 Gone"


def test_a_broken_adapter_does_not_stop_delivery(engine: Engine, settings: Settings) -> None:
    broken, fine = store(
        engine,
        message(not_before=T0 - MINUTE),  # the first due, so the first tried
        message(address="https://b.example.org/"),
    )
    recorder = Recorder(KeyError("subject"))
    summary = deliver(engine, settings, {"webhook": recorder}, now=T0)
    assert summary == Summary(sent=1, retrying=1)
    assert read(engine, broken.id).last_error == "KeyError: 'subject'"
    assert [m.id for m in recorder.sent] == [fine.id]


def test_hold_keeps_every_message_pending_and_untried(engine: Engine, settings: Settings) -> None:
    assert settings.outbox_transport == "hold"  # the default
    rows = store(
        engine,
        message(),
        message(channel="email", address="cert@example.org", content_type="text/plain"),
        message(channel="sms", address="+994501234567", content_type="text/plain"),
    )
    with httpx.Client() as client:
        held = adapters.build(settings, client)
    assert set(held) == {"email", "webhook", "sms"}
    assert all(isinstance(a, adapters.Hold) for a in held.values())
    assert deliver(engine, settings, held, now=T0) == Summary(held=3)
    for row in rows:
        stored = read(engine, row.id)
        assert (stored.status, stored.attempts, stored.last_attempt_at) == (PENDING, 0, None)


def test_due_order_limit_and_not_before(engine: Engine, settings: Settings) -> None:
    later, first, second = store(
        engine,
        message(source_id="later", not_before=T0 + timedelta(hours=1)),
        message(source_id="first", not_before=T0 - timedelta(minutes=2)),
        message(source_id="second", not_before=T0 - timedelta(minutes=1)),
    )
    recorder = Recorder()
    assert deliver(engine, settings, {"webhook": recorder}, limit=1, now=T0) == Summary(sent=1)
    assert deliver(engine, settings, {"webhook": recorder}, now=T0) == Summary(sent=1)
    assert deliver(engine, settings, {"webhook": recorder}, now=T0) == Summary()
    later_run = deliver(engine, settings, {"webhook": recorder}, now=T0 + timedelta(hours=1))
    assert later_run == Summary(sent=1)
    assert [m.id for m in recorder.sent] == [first.id, second.id, later.id]


def test_a_channel_without_an_adapter_is_left_alone(engine: Engine, settings: Settings) -> None:
    (sms,) = store(
        engine, message(channel="sms", address="+994501234567", content_type="text/plain")
    )
    assert deliver(engine, settings, {"webhook": Recorder()}, now=T0) == Summary()
    assert read(engine, sms.id).attempts == 0


def test_a_deliverer_that_dies_mid_send_leaves_the_message_to_the_lease(
    engine: Engine, settings: Settings
) -> None:
    (row,) = store(engine, message())
    dying = Recorder(SystemExit("killed"))
    with pytest.raises(SystemExit):
        deliver(engine, settings, {"webhook": dying}, now=T0)
    claimed = read(engine, row.id)
    assert (claimed.status, claimed.attempts, aware(claimed.not_before)) == (PENDING, 1, T0 + LEASE)
    recorder = Recorder()
    assert deliver(engine, settings, {"webhook": recorder}, now=T0 + LEASE / 2) == Summary()
    assert deliver(engine, settings, {"webhook": recorder}, now=T0 + LEASE) == Summary(sent=1)
    assert read(engine, row.id).attempts == 2


def test_deliverers_skip_a_message_another_one_holds(
    engine: Engine, settings: Settings, database_url: str
) -> None:
    """PostgreSQL: a message another deliverer has locked is passed over, not waited for."""
    if is_sqlite(database_url):
        pytest.skip("SQLite has one writer at a time: a second deliverer waits, by design")
    busy, free = store(engine, message(), message(address="https://b.example.org/"))
    # Should the lock be waited for, the test fails after 5 seconds instead of hanging.
    impatient = make_engine(database_url + "%20-clock_timeout%3D5000")
    try:
        with engine.connect() as other, other.begin():
            other.execute(
                text("SELECT id FROM outbox_messages WHERE id = :id FOR UPDATE"), {"id": busy.id}
            )
            recorder = Recorder()
            assert deliver(impatient, settings, {"webhook": recorder}, now=T0) == Summary(sent=1)
            assert [m.id for m in recorder.sent] == [free.id]
        assert read(engine, busy.id).attempts == 0
    finally:
        impatient.dispose()


def test_workers_deliver_in_the_background(
    engine: Engine, settings: Settings, receiver: tuple[str, Received]
) -> None:
    url, received = receiver
    (row,) = store(engine, message(address=url), now=datetime.now(UTC))
    with background(engine, settings, 0.05):  # hold: no thread at all
        assert "qalxan-outbox" not in {t.name for t in threading.enumerate()}
    with background(engine, sending(settings, webhook_secret=SECRET), 0.05):
        deadline = time.monotonic() + 10
        while read(engine, row.id).status != SENT and time.monotonic() < deadline:
            time.sleep(0.05)
    assert read(engine, row.id).status == SENT
    assert [body for _, body in received] == [row.body.encode()]
