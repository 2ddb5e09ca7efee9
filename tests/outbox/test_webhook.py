"""The webhook adapter through delivery, against a mock transport: signed, once, classified
answers."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import Engine

from qalxan.outbox import adapters
from qalxan.outbox.deliver import Summary, deliver
from qalxan.outbox.envelope import DeliveryError, Envelope, Rejected
from qalxan.outbox.tables import FAILED, PENDING, SENT
from qalxan.outbox.webhook import Webhook, sign, verify
from qalxan.settings import Settings
from tests.outbox.shared import HOOK, SECRET, T0, message, mock_client, read, sending, store

ENVELOPE = Envelope("m1", "webhook", HOOK, "", "{}", "application/json", {}, None, 1)


def test_the_body_goes_as_it_is_signed_with_the_settings_secret(
    engine: Engine, settings: Settings
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    (row,) = store(engine, message(headers={"X-Subscription": "sub-7"}))
    config = sending(settings, webhook_secret=SECRET)
    with mock_client(answer) as client:
        summary = deliver(engine, config, adapters.build(config, client), now=T0)
    assert summary == Summary(sent=1)
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == HOOK
    assert request.content == row.body.encode()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-qalxan-message-id"] == row.id
    assert request.headers["x-subscription"] == "sub-7"
    signature = request.headers["x-qalxan-signature"]
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(SECRET, request.content, signature)
    assert not verify("another secret", request.content, signature)
    assert not verify(SECRET, request.content + b" ", signature)
    assert read(engine, row.id).status == SENT


def test_an_endpoints_own_secret_signs_its_messages(engine: Engine, settings: Settings) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    own = "endpoint-secret-" * 3
    store(engine, message(signing_secret=own))
    config = sending(settings, webhook_secret=SECRET)
    with mock_client(answer) as client:
        deliver(engine, config, adapters.build(config, client), now=T0)
    (request,) = seen
    assert request.headers["x-qalxan-signature"] == sign(own, request.content)
    assert not verify(SECRET, request.content, request.headers["x-qalxan-signature"])


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, DeliveryError),
        (503, DeliveryError),
        (429, DeliveryError),
        (408, DeliveryError),
        (302, DeliveryError),  # redirects are not followed
        (404, Rejected),
        (401, Rejected),
        (410, Rejected),
    ],
)
def test_answers_decide_between_later_and_never(status: int, error: type[Exception]) -> None:
    answer = httpx.Response(status, headers={"Location": "https://elsewhere.example.org/"})
    with mock_client(lambda _: answer) as client, pytest.raises(error) as caught:
        Webhook(client, SECRET).send(ENVELOPE)
    assert type(caught.value) is error
    assert f"{ENVELOPE.address} answered {status}" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "outcome", "state"), [(500, "retrying", PENDING), (404, "failed", FAILED)]
)
def test_delivery_retries_or_gives_up_as_the_answer_says(
    engine: Engine, settings: Settings, status: int, outcome: str, state: str
) -> None:
    (row,) = store(engine, message())
    config = sending(settings, webhook_secret=SECRET)
    with mock_client(lambda _: httpx.Response(status)) as client:
        summary = deliver(engine, config, adapters.build(config, client), now=T0)
    assert summary == Summary(**{outcome: 1})
    stored = read(engine, row.id)
    assert stored.status == state
    assert stored.last_error is not None and f"answered {status}" in stored.last_error


def test_a_network_failure_is_retried(engine: Engine, settings: Settings) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    (row,) = store(engine, message())
    config = sending(settings, webhook_secret=SECRET)
    with mock_client(refuse) as client:
        assert deliver(engine, config, adapters.build(config, client), now=T0) == Summary(
            retrying=1
        )
    error = read(engine, row.id).last_error
    assert error is not None and "ConnectError: connection refused" in error


def test_nothing_goes_unsigned(engine: Engine, settings: Settings) -> None:
    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    (row,) = store(engine, message())
    config = sending(settings)  # no QALXAN_WEBHOOK_SECRET, no secret of the endpoint's
    with mock_client(answer) as client:
        assert deliver(engine, config, adapters.build(config, client), now=T0) == Summary(
            retrying=1
        )
    assert calls == []
    assert "no signing secret" in (read(engine, row.id).last_error or "")


def test_production_refuses_plain_http() -> None:
    envelope = replace(ENVELOPE, address="http://soc.example.org/")
    with mock_client(lambda _: httpx.Response(200)) as client:
        with pytest.raises(Rejected, match="HTTPS only"):
            Webhook(client, SECRET, https_only=True).send(envelope)
        Webhook(client, SECRET).send(envelope)
        with pytest.raises(DeliveryError):
            Webhook(client, None).send(envelope)
