"""The channels a message may name, and the adapters that send them, by name.

``CHANNELS`` says what a message of each channel must look like (checked when it is
enqueued); ``ADAPTERS`` makes each adapter from the settings. ``QALXAN_OUTBOX_TRANSPORT``
chooses between them: ``hold`` (the default) gives every channel the :class:`Hold` adapter, so
that nothing leaves a development machine or a test run; ``send`` gives each channel its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar

import httpx

from qalxan.errors import InvalidInput
from qalxan.outbox import sms, smtp, webhook
from qalxan.outbox.envelope import Adapter, DeliveryError, Envelope
from qalxan.settings import MIN_SECRET_LENGTH, PLACEHOLDER_SECRETS, Settings

TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Channel:
    """What a message of a channel must be: a valid address (normalised by ``check_address``)
    and, where given, one of ``content_types`` (media types without parameters)."""

    check_address: Callable[[str], str]
    content_types: tuple[str, ...] | None


class Hold:
    """Keeps every message pending: the deliverer never hands it one."""

    holds: ClassVar[bool] = True

    def send(self, message: Envelope) -> None:
        raise DeliveryError(f"held: {message.id} is not to be sent (QALXAN_OUTBOX_TRANSPORT)")


Factory = Callable[[Settings, httpx.Client], Adapter]

CHANNELS: dict[str, Channel] = {
    "email": Channel(smtp.check_address, smtp.CONTENT_TYPES),
    "webhook": Channel(webhook.check_address, None),
    "sms": Channel(sms.check_address, sms.CONTENT_TYPES),
}

ADAPTERS: dict[str, Factory] = {
    "email": smtp.from_settings,
    "webhook": webhook.from_settings,
    "sms": sms.from_settings,
    "hold": lambda _settings, _client: Hold(),
}


def build(settings: Settings, client: httpx.Client) -> dict[str, Adapter]:
    """The adapter of every channel under the configured transport."""
    check_settings(settings)
    sending = settings.outbox_transport == "send"
    return {name: ADAPTERS[name if sending else "hold"](settings, client) for name in CHANNELS}


@contextmanager
def opened(settings: Settings) -> Iterator[dict[str, Adapter]]:
    """:func:`build` with an HTTP client of its own, closed when the block ends."""
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        yield build(settings, client)


def check_settings(settings: Settings) -> None:
    """Refuse, in production, a placeholder secret or one that would travel in clear."""
    if settings.env != "production":
        return
    secrets = (
        ("webhook_secret", settings.webhook_secret, MIN_SECRET_LENGTH),
        ("smtp_password", settings.smtp_password, 1),
        ("sms_gateway_token", settings.sms_gateway_token, 1),
    )
    for name, value, length in secrets:
        text = (value or "").strip()
        if value is not None and (text.lower() in PLACEHOLDER_SECRETS or len(text) < length):
            _refuse(name, f"a placeholder, or shorter than {length} characters")
    if settings.outbox_transport != "send":
        return
    if settings.smtp_username and not settings.smtp_starttls:
        _refuse("smtp_starttls", "must be on when a password is sent")
    url = settings.sms_gateway_url
    if url and not url.lower().startswith("https://"):
        _refuse("sms_gateway_url", "must be an https URL (the token goes with every message)")


def _refuse(name: str, reason: str) -> None:
    raise InvalidInput(f"QALXAN_{name.upper()}: {reason} in production", field=name)
