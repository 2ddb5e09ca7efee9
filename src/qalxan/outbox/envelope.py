"""What an adapter is given and what it may raise.

DeliveryError           the message did not go; try again later (with backoff)
└── Rejected            the receiver refused it for good; retrying cannot help: give up now

Any other exception from an adapter is treated as a :class:`DeliveryError` (a bug in one
adapter must not stop the deliverer), with its text recorded on the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from qalxan.outbox.tables import OutboxRow


class DeliveryError(Exception):
    """The message was not delivered this time."""


class Rejected(DeliveryError):
    """The receiver refused the message for good (an unknown mailbox, a 4xx answer)."""


@dataclass(frozen=True)
class Envelope:
    """A message as its adapter sees it: a snapshot of the row, outside any transaction."""

    id: str
    channel: str
    address: str
    subject: str
    body: str
    content_type: str
    headers: dict[str, str]
    signing_secret: str | None
    attempt: int

    @classmethod
    def of(cls, row: OutboxRow) -> Envelope:
        return cls(
            id=row.id,
            channel=row.channel,
            address=row.address,
            subject=row.subject,
            body=row.body,
            content_type=row.content_type,
            headers={str(k): str(v) for k, v in row.headers.items()},
            signing_secret=row.signing_secret,
            attempt=row.attempts,
        )


class Adapter(Protocol):
    """Sends one message, or raises. ``holds``: the adapter keeps its messages pending and the
    deliverer leaves them untouched (no attempt is counted)."""

    @property
    def holds(self) -> bool: ...

    def send(self, message: Envelope) -> None: ...


def describe(exc: BaseException, limit: int = 2000) -> str:
    """An exception as the text recorded on the message."""
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
