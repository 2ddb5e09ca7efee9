"""The ``sms`` channel: an HTTP SMS gateway, given ``{"to": number, "text": text}`` as JSON.

The text is the body, cut to ``QALXAN_SMS_MAX_LENGTH`` characters with a note saying so (the
stored message keeps the whole body). The gateway's token goes as ``Authorization: Bearer``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import httpx

from qalxan.errors import InvalidInput
from qalxan.outbox.envelope import DeliveryError, Envelope
from qalxan.outbox.webhook import MESSAGE_ID, post
from qalxan.settings import Settings

CONTENT_TYPES = ("text/plain",)
SHORTENED = "… (shortened)"
# E.164: a country code and a subscriber number, at most 15 digits in all.
NUMBER = re.compile(r"\+?[1-9]\d{6,14}")
SEPARATORS = re.compile(r"[\s().-]")


def check_address(address: str) -> str:
    """The number in E.164 form (``+994501234567``); :class:`InvalidInput` when it is not one."""
    number = SEPARATORS.sub("", address)
    if not NUMBER.fullmatch(number):
        raise InvalidInput(
            "address: a telephone number in international form, e.g. +994501234567",
            field="address",
        )
    return number if number.startswith("+") else f"+{number}"


def shorten(text: str, max_length: int) -> str:
    """``text`` if it fits in ``max_length`` characters, else its start and :data:`SHORTENED`."""
    if len(text) <= max_length:
        return text
    return text[: max_length - len(SHORTENED)].rstrip() + SHORTENED


@dataclass(frozen=True)
class SmsGateway:
    client: httpx.Client
    url: str | None
    token: str | None
    max_length: int

    holds: ClassVar[bool] = False

    def send(self, message: Envelope) -> None:
        if not self.url:
            raise DeliveryError("QALXAN_SMS_GATEWAY_URL is not set")
        headers = {MESSAGE_ID: message.id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        text = shorten(message.body, self.max_length)
        post(
            self.client,
            self.url,
            headers,
            json={"to": message.address, "text": text},
            who="the SMS gateway",
        )


def from_settings(settings: Settings, client: httpx.Client) -> SmsGateway:
    return SmsGateway(
        client, settings.sms_gateway_url, settings.sms_gateway_token, settings.sms_max_length
    )
