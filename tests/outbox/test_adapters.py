"""The registry of adapters, and the settings production refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from qalxan.errors import InvalidInput
from qalxan.outbox import adapters
from qalxan.outbox.sms import SmsGateway
from qalxan.outbox.smtp import Smtp
from qalxan.outbox.webhook import Webhook
from qalxan.settings import Settings
from tests.outbox.shared import SECRET


def production(tmp_path: Path, **changes: Any) -> Settings:
    return Settings(
        env="production",
        secret_key="k" * 40,
        audit_signing_key=tmp_path / "audit.pem",
        data_dir=tmp_path,
        **changes,
    )


def test_send_gives_each_channel_its_adapter(tmp_path: Path) -> None:
    config = Settings(
        data_dir=tmp_path,
        outbox_transport="send",
        smtp_host="mail.example.org",
        smtp_from="cert@example.org",
        webhook_secret=SECRET,
        sms_gateway_url="https://sms.example.org/send",
        sms_max_length=300,
    )
    with httpx.Client() as client:
        chosen = adapters.build(config, client)
    assert set(chosen) == set(adapters.CHANNELS)
    email, hook, sms = chosen["email"], chosen["webhook"], chosen["sms"]
    assert isinstance(email, Smtp) and (email.host, email.port, email.starttls) == (
        "mail.example.org",
        587,
        True,
    )
    assert isinstance(hook, Webhook) and hook.secret == SECRET and not hook.https_only
    assert isinstance(sms, SmsGateway) and sms.max_length == 300
    assert not any(a.holds for a in chosen.values())


def test_hold_is_the_default(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).outbox_transport == "hold"
    with httpx.Client() as client:
        chosen = adapters.build(Settings(data_dir=tmp_path), client)
    assert all(a.holds for a in chosen.values())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"webhook_secret": "changeme"}, "webhook_secret"),
        ({"webhook_secret": "short-but-real"}, "webhook_secret"),
        ({"smtp_password": "secret"}, "smtp_password"),
        ({"sms_gateway_token": "  "}, "sms_gateway_token"),
        (
            {"outbox_transport": "send", "smtp_username": "u", "smtp_starttls": False},
            "smtp_starttls",
        ),
        (
            {"outbox_transport": "send", "sms_gateway_url": "http://sms.example.org"},
            "sms_gateway_url",
        ),
    ],
)
def test_production_refuses_unsafe_settings(
    tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    with httpx.Client() as client, pytest.raises(InvalidInput, match="in production") as caught:
        adapters.build(production(tmp_path, **changes), client)
    assert caught.value.field == field
    assert f"QALXAN_{field.upper()}" in caught.value.message


def test_production_accepts_real_secrets(tmp_path: Path) -> None:
    config = production(
        tmp_path,
        outbox_transport="send",
        webhook_secret=SECRET,
        smtp_username="qalxan",
        smtp_password="a real password",
        sms_gateway_url="https://sms.example.org/send",
        sms_gateway_token="gw-token",
    )
    with httpx.Client() as client:
        hook = adapters.build(config, client)["webhook"]
    assert isinstance(hook, Webhook) and hook.https_only
    # The same unsafe choices pass in development.
    adapters.check_settings(Settings(data_dir=tmp_path, webhook_secret="changeme"))
