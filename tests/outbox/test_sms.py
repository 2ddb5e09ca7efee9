"""The SMS gateway adapter through delivery, against a mock transport."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import Engine

from qalxan.outbox import adapters
from qalxan.outbox.deliver import Summary, deliver
from qalxan.outbox.service import Message
from qalxan.outbox.sms import SHORTENED, shorten
from qalxan.outbox.tables import SENT
from qalxan.settings import Settings
from tests.outbox.shared import T0, message, mock_client, read, sending, store

GATEWAY = "https://sms-gateway.example.org/api/send"
WARNING = (
    "Fövqəladə Hallar Nazirliyi: Şəki rayonunda sel təhlükəsi. Çay sahillərindən uzaq durun, "
    "yüksək yerlərə çəkilin və rəsmi məlumatları izləyin. 112-yə yalnız təcili hallarda zəng edin."
)


def sms(body: str = WARNING) -> Message:
    return message(channel="sms", address="+994 50 123 45 67", body=body, content_type="text/plain")


def test_the_gateway_gets_number_and_text_with_the_token(
    engine: Engine, settings: Settings
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"queued": True})

    (row,) = store(engine, sms("Sel təhlükəsi: yüksək yerlərə çəkilin."))
    config = sending(settings, sms_gateway_url=GATEWAY, sms_gateway_token="gw-token-123")
    with mock_client(answer) as client:
        assert deliver(engine, config, adapters.build(config, client), now=T0) == Summary(sent=1)
    (request,) = seen
    assert str(request.url) == GATEWAY
    assert request.headers["authorization"] == "Bearer gw-token-123"
    assert request.headers["x-qalxan-message-id"] == row.id
    assert json.loads(request.content) == {
        "to": "+994501234567",
        "text": "Sel təhlükəsi: yüksək yerlərə çəkilin.",
    }
    assert read(engine, row.id).status == SENT


def test_a_long_body_is_cut_with_a_note(engine: Engine, settings: Settings) -> None:
    seen: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200)

    (row,) = store(engine, sms())
    config = sending(settings, sms_gateway_url=GATEWAY, sms_max_length=70)
    with mock_client(answer) as client:
        deliver(engine, config, adapters.build(config, client), now=T0)
    text = seen[0]["text"]
    assert len(text) <= 70
    assert text.endswith(SHORTENED)
    assert WARNING.startswith(text.removesuffix(SHORTENED))
    assert "authorization" not in {k.lower() for k in seen[0]}
    assert read(engine, row.id).body == WARNING  # the whole warning is kept


def test_shorten_keeps_what_fits() -> None:
    assert shorten("short", 40) == "short"
    assert shorten("x" * 40, 40) == "x" * 40
    cut = shorten("word " * 20, 40)
    assert len(cut) <= 40 and cut.endswith(SHORTENED) and not cut.startswith(" ")


def test_without_a_gateway_nothing_is_sent(engine: Engine, settings: Settings) -> None:
    (row,) = store(engine, sms())
    config = sending(settings)
    with mock_client(lambda _: httpx.Response(200)) as client:
        assert deliver(engine, config, adapters.build(config, client), now=T0) == Summary(
            retrying=1
        )
    assert "QALXAN_SMS_GATEWAY_URL is not set" in (read(engine, row.id).last_error or "")


def test_the_gateways_url_stays_out_of_errors(engine: Engine, settings: Settings) -> None:
    (row,) = store(engine, sms())
    config = sending(settings, sms_gateway_url=GATEWAY + "?key=hunter2")
    with mock_client(lambda _: httpx.Response(503)) as client:
        deliver(engine, config, adapters.build(config, client), now=T0)
    error = read(engine, row.id).last_error or ""
    assert "the SMS gateway answered 503" in error and "hunter2" not in error
