"""The e-mail adapter against a real SMTP server on loopback (plain, and STARTTLS with login)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from qalxan.outbox import adapters
from qalxan.outbox.deliver import Summary, deliver
from qalxan.outbox.envelope import DeliveryError, Envelope
from qalxan.outbox.service import Message
from qalxan.outbox.smtp import Smtp
from qalxan.outbox.tables import FAILED, PENDING, SENT
from qalxan.settings import Settings
from tests.outbox.shared import T0, message, read, sending, store
from tests.outbox.smtp_server import HOST, PASSWORD, REFUSED, USER, free_port, smtp_server

SENDER = "Qalxan CERT <cert@cert.example.org>"
NOTICE = "Göstəricilər: 198.51.100.7 (C2). Sektor: energetika.\n"


def mail(**changes: object) -> Message:
    base = {
        "channel": "email",
        "address": "soc@operator.example.org",
        "subject": "[TLP:AMBER] CERT notice 2026-0147",
        "body": NOTICE,
        "content_type": "text/plain; charset=utf-8",
    }
    return message(**{**base, **changes})


def test_a_message_reaches_the_mailbox_once(engine: Engine, settings: Settings) -> None:
    with smtp_server() as box, httpx.Client() as client:
        config = sending(
            settings, smtp_host=HOST, smtp_port=box.port, smtp_starttls=False, smtp_from=SENDER
        )
        (row,) = store(engine, mail(headers={"X-TLP": "AMBER"}))
        assert deliver(engine, config, adapters.build(config, client), now=T0) == Summary(sent=1)
        assert deliver(engine, config, adapters.build(config, client), now=T0) == Summary()
    (received,) = box.mail
    assert box.envelopes == [("cert@cert.example.org", ["soc@operator.example.org"])]
    assert received["From"] == SENDER
    assert received["To"] == "soc@operator.example.org"
    assert received["Subject"] == "[TLP:AMBER] CERT notice 2026-0147"
    assert received["Message-ID"] == f"<{row.id}@cert.example.org>"
    assert received["X-Qalxan-Message-Id"] == row.id
    assert received["X-TLP"] == "AMBER"
    assert received.get_content_type() == "text/plain"
    assert received.get_content().replace("\r\n", "\n") == NOTICE  # CRLF on the wire
    assert read(engine, row.id).status == SENT


def test_html_goes_as_html(engine: Engine, settings: Settings) -> None:
    with smtp_server() as box, httpx.Client() as client:
        config = sending(
            settings, smtp_host=HOST, smtp_port=box.port, smtp_starttls=False, smtp_from=SENDER
        )
        store(engine, mail(body="<p>Sel təhlükəsi</p>", content_type="text/html"))
        deliver(engine, config, adapters.build(config, client), now=T0)
    (received,) = box.mail
    assert received.get_content_type() == "text/html"
    assert received.get_content().strip() == "<p>Sel təhlükəsi</p>"


def test_starttls_and_login(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as box:
        assert box.trust is not None
        sender = Smtp(HOST, box.port, SENDER, USER, PASSWORD, starttls=True, tls=box.trust)
        (row,) = store(engine, mail())
        assert deliver(engine, settings, {"email": sender}, now=T0) == Summary(sent=1)
        wrong = Smtp(HOST, box.port, SENDER, USER, "wrong", starttls=True, tls=box.trust)
        (other,) = store(engine, mail(subject="second"))
        assert deliver(engine, settings, {"email": wrong}, now=T0) == Summary(retrying=1)
    assert box.logins == [USER]
    assert [m["Subject"] for m in box.mail] == ["[TLP:AMBER] CERT notice 2026-0147"]
    assert read(engine, row.id).status == SENT
    error = read(engine, other.id).last_error or ""
    assert "SMTPAuthenticationError" in error and "wrong" not in error


def test_an_untrusted_certificate_is_not_sent_to(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as box:
        # The system's authorities do not know the test server's certificate.
        sender = Smtp(HOST, box.port, SENDER, USER, PASSWORD, starttls=True)
        envelope = Envelope(
            "m1", "email", "soc@operator.example.org", "s", "b", "text/plain", {}, None, 1
        )
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            sender.send(envelope)
    assert box.mail == []


def test_a_refused_recipient_is_given_up(engine: Engine, settings: Settings) -> None:
    with smtp_server() as box:
        sender = Smtp(HOST, box.port, SENDER, starttls=False)
        (row,) = store(engine, mail(address=REFUSED))
        assert deliver(engine, settings, {"email": sender}, now=T0) == Summary(failed=1)
    stored = read(engine, row.id)
    assert stored.status == FAILED
    assert "550" in (stored.last_error or "")


def test_an_unreachable_server_is_retried(engine: Engine, settings: Settings) -> None:
    (row,) = store(engine, mail())
    sender = Smtp(HOST, free_port(), SENDER, starttls=False, timeout=2)
    assert deliver(engine, settings, {"email": sender}, now=T0) == Summary(retrying=1)
    stored = read(engine, row.id)
    assert stored.status == PENDING
    assert "ConnectionRefusedError" in (stored.last_error or "")


def test_without_a_server_configured_nothing_is_sent(settings: Settings) -> None:
    envelope = Envelope(
        "m1", "email", "soc@operator.example.org", "s", "b", "text/plain", {}, None, 1
    )
    with httpx.Client() as client:
        sender = adapters.build(sending(settings), client)["email"]
    with pytest.raises(DeliveryError, match="QALXAN_SMTP_HOST"):
        sender.send(envelope)
