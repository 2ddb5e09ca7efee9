"""The ``webhook`` channel: the body POSTed as it is, signed, to the subscriber's URL.

``X-Qalxan-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact body bytes under the
endpoint's own secret (given when the message was enqueued) or ``QALXAN_WEBHOOK_SECRET``;
:func:`verify` is what a receiver does. Nothing is ever sent unsigned. Redirects are not
followed: a subscriber's URL is the one it registered.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from qalxan.errors import InvalidInput
from qalxan.outbox.envelope import DeliveryError, Envelope, Rejected, describe
from qalxan.settings import Settings

SIGNATURE = "X-Qalxan-Signature"
MESSAGE_ID = "X-Qalxan-Message-Id"
MAX_URL = 2000
# Answers that say "later", not "never".
RETRYABLE = frozenset({408, 425, 429})


def check_address(address: str) -> str:
    """The URL; :class:`InvalidInput` unless it is an absolute http(s) URL."""
    text = address.strip()
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise InvalidInput(f"address: not a URL: {exc}", field="address") from exc
    if url.scheme not in ("http", "https") or not url.host or len(text) > MAX_URL:
        raise InvalidInput(
            f"address: an http(s) URL of at most {MAX_URL} characters", field="address"
        )
    return text


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` (the header's value) was made for ``body`` with ``secret``."""
    return hmac.compare_digest(sign(secret, body), signature)


@dataclass(frozen=True)
class Webhook:
    """``https_only``: refuse plain http URLs (production)."""

    client: httpx.Client
    secret: str | None
    https_only: bool = False

    holds: ClassVar[bool] = False

    def send(self, message: Envelope) -> None:
        secret = message.signing_secret or self.secret
        if not secret:
            raise DeliveryError(
                "no signing secret: the endpoint has none and QALXAN_WEBHOOK_SECRET is not set"
            )
        if self.https_only and not message.address.lower().startswith("https://"):
            raise Rejected("production sends webhooks over HTTPS only")
        body = message.body.encode()
        headers = {
            **message.headers,
            "Content-Type": message.content_type,
            SIGNATURE: sign(secret, body),
            MESSAGE_ID: message.id,
        }
        post(self.client, message.address, headers, content=body)


def post(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    *,
    content: bytes | None = None,
    json: Any = None,
    who: str | None = None,
) -> None:
    """POST, raising :class:`Rejected` on a final refusal and :class:`DeliveryError` on any
    other failure. ``who`` names the receiver in errors instead of the URL (whose query may
    hold a credential)."""
    try:
        response = client.post(url, headers=headers, content=content, json=json)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{who or url}: {describe(exc)}") from exc
    if response.is_success:
        return
    code = response.status_code
    reason = f"{who or url} answered {code} {response.reason_phrase}"
    if 400 <= code < 500 and code not in RETRYABLE:
        raise Rejected(reason)
    raise DeliveryError(reason)


def from_settings(settings: Settings, client: httpx.Client) -> Webhook:
    return Webhook(client, settings.webhook_secret, https_only=settings.env == "production")
