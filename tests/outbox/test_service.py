"""Enqueueing: in the caller's transaction, stored once per key, refused when malformed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qalxan.errors import InvalidInput
from qalxan.outbox.deliver import deliver
from qalxan.outbox.service import enqueue
from qalxan.outbox.tables import PENDING
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.outbox.shared import HOOK, T0, Recorder, aware, count, message, read, store


def test_a_message_is_stored_as_given(engine: Engine) -> None:
    (row,) = store(engine, message(headers={"X-Subscription": "sub-7"}, meta={"sector": "energy"}))
    stored = read(engine, row.id)
    assert (stored.channel, stored.address, stored.status) == ("webhook", HOOK, PENDING)
    assert stored.body == '{"indicator": "198.51.100.7"}'
    assert stored.headers == {"X-Subscription": "sub-7"}
    assert stored.meta == {"sector": "energy"}
    assert (stored.source_type, stored.source_id, stored.tlp) == ("cti", "notice-1", "AMBER")
    assert stored.attempts == 0
    assert aware(stored.not_before) == T0
    assert aware(stored.created_at) == T0


def test_enqueueing_the_same_key_twice_stores_it_once(engine: Engine) -> None:
    first = store(engine, message(dedup_key="cti:notice-1:sub-7"))[0]
    again = store(engine, message(dedup_key="cti:notice-1:sub-7", body="changed"))[0]
    assert again.id == first.id
    assert read(engine, first.id).body == '{"indicator": "198.51.100.7"}'
    with transaction(engine) as session:
        a = enqueue(session, message(dedup_key="k2"), T0)
        b = enqueue(session, message(dedup_key="k2"), T0)
    assert a.id == b.id
    assert count(engine) == 2


def test_without_a_key_the_content_is_the_key(engine: Engine) -> None:
    first, same = store(engine, message(), message())
    other = store(engine, message(address="https://other.example.org/hook"))[0]
    assert first.id == same.id
    assert other.id != first.id
    assert len(first.dedup_key) == 64
    assert count(engine) == 2


def test_a_rolled_back_change_leaves_nothing_to_send(engine: Engine, settings: Settings) -> None:
    def change() -> None:
        with transaction(engine) as session:
            enqueue(session, message(), T0)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        change()
    assert count(engine) == 0
    recorder = Recorder()
    summary = deliver(engine, settings, {"webhook": recorder}, now=T0 + timedelta(days=1))
    assert summary.sent == 0
    assert recorder.sent == []


def test_addresses_are_checked_and_normalised(engine: Engine) -> None:
    email, sms = store(
        engine,
        message(channel="email", address=" CERT@Operator.example.org ", content_type="text/plain"),
        message(channel="sms", address="994 50 123-45-67", content_type="text/plain"),
    )
    assert email.address == "CERT@operator.example.org"
    assert sms.address == "+994501234567"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "hold"}, "channel"),
        ({"address": "ftp://soc.example.org/"}, "address"),
        ({"address": "not a url"}, "address"),
        ({"channel": "email", "address": "nobody", "content_type": "text/plain"}, "address"),
        ({"channel": "email", "address": "a@example.org"}, "content_type"),
        ({"channel": "sms", "address": "0501234567", "content_type": "text/plain"}, "address"),
        ({"content_type": "json"}, "content_type"),
        ({"subject": "one\nBcc: everyone@example.org"}, "subject"),
        ({"headers": {"Bcc": "everyone@example.org"}}, "headers"),
        ({"headers": {"X-Qalxan-Signature": "sha256=forged"}}, "headers"),
        ({"headers": {"X-Note": "a\r\nBcc: x@example.org"}}, "headers"),
        ({"headers": {"Bad Name": "x"}}, "headers"),
        ({"meta": {"when": object()}}, "meta"),
        ({"body": "  "}, "body"),
        ({"source_id": ""}, "source_id"),
        ({"dedup_key": "k" * 201}, "dedup_key"),
        ({"tlp": "purple"}, "tlp"),
        ({"classification": "cosmic"}, "classification"),
    ],
)
def test_malformed_messages_are_refused(changes: dict[str, object], field: str) -> None:
    # Refused before any SQL: a session bound to no database will do.
    with pytest.raises(InvalidInput) as caught:
        enqueue(Session(), message(**changes))
    assert caught.value.field == field


def test_markings_are_recorded_not_enforced(engine: Engine) -> None:
    (row,) = store(engine, message(classification="secret", tlp="TLP:RED"))
    stored = read(engine, row.id)
    assert stored.tlp == "RED"
    assert stored.classification is not None and stored.classification > 0
