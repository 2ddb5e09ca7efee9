"""Putting a message in the outbox, inside the caller's transaction.

:func:`enqueue` never commits: the message is stored if and only if the caller's transaction
commits, with the change that caused it. The same ``dedup_key`` is stored once (``INSERT ...
ON CONFLICT DO NOTHING``, so that a second enqueue, even from another process at the same
moment, neither fails nor aborts the caller's transaction); without a key, the message's
content is its key. Bad input raises :class:`~qalxan.errors.InvalidInput`; what a message
says, and to whom it may go, is the caller's decision (see :class:`OutboxRow`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qalxan.access.markings import scheme
from qalxan.errors import InvalidInput, required_text
from qalxan.outbox.adapters import CHANNELS
from qalxan.outbox.tables import PENDING, OutboxRow
from qalxan.store.ids import new_id

MAX_BODY = 1_000_000
MAX_SUBJECT = 998  # the longest line of an e-mail header
MAX_HEADERS = 30
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
MEDIA_TYPE = re.compile(r"[\w!#$&^.+-]+/[\w!#$&^.+-]+(\s*;[^\r\n]*)?")
# Set by the adapters themselves, or a way to add recipients: never taken from a message.
RESERVED_HEADERS = frozenset(
    {
        "authorization", "bcc", "cc", "content-length", "content-transfer-encoding",
        "content-type", "date", "from", "host", "message-id", "mime-version", "reply-to",
        "sender", "subject", "to", "x-qalxan-message-id", "x-qalxan-signature",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Message:
    """What a caller sends: ``body`` to ``address`` through ``channel``, because of the record
    ``source_type``/``source_id``. ``classification`` (a code of the marking scheme) and
    ``tlp`` record how the content is marked; ``signing_secret`` is a webhook endpoint's own;
    ``not_before`` delays the first attempt."""

    channel: str
    address: str
    body: str
    source_type: str
    source_id: str
    subject: str = ""
    content_type: str = "text/plain; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)
    dedup_key: str | None = None
    signing_secret: str | None = None
    classification: str | None = None
    tlp: str | None = None
    not_before: datetime | None = None


def enqueue(session: Session, message: Message, now: datetime | None = None) -> OutboxRow:
    """Store ``message`` in ``session``'s transaction (not committed here); the stored row,
    which is the earlier one when its key was stored already."""
    now = now or datetime.now(UTC)
    values = _values(message, now)
    session.execute(_insert_new(session, values))
    return session.execute(
        select(OutboxRow).where(OutboxRow.dedup_key == values["dedup_key"])
    ).scalar_one()


def _insert_new(session: Session, values: dict[str, Any]) -> Any:
    # The one dialect difference: each dialect has its own construct for the same SQL.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(OutboxRow).values(values).on_conflict_do_nothing(index_elements=["dedup_key"])


def _values(message: Message, now: datetime) -> dict[str, Any]:
    channel = CHANNELS.get(message.channel)
    if channel is None:
        raise InvalidInput(f"channel: one of {', '.join(CHANNELS)}", field="channel")
    content_type = _content_type(message.content_type, channel.content_types)
    subject = message.subject.strip()
    if len(subject) > MAX_SUBJECT or "\r" in subject or "\n" in subject:
        raise InvalidInput(f"subject: one line of at most {MAX_SUBJECT} characters", "subject")
    if not message.body.strip() or len(message.body) > MAX_BODY:
        raise InvalidInput(f"body: 1 to {MAX_BODY} characters", field="body")
    values: dict[str, Any] = {
        "channel": message.channel,
        "address": channel.check_address(message.address),
        "subject": subject,
        "body": message.body,
        "content_type": content_type,
        "headers": _headers(message.headers),
        "meta": _meta(message.meta),
        "signing_secret": message.signing_secret or None,
        "classification": _classification(message.classification),
        "tlp": scheme().tlp_code(message.tlp),
        "source_type": required_text(message.source_type, "source_type", 40),
        "source_id": required_text(message.source_id, "source_id", 80),
    }
    key = message.dedup_key
    if key is None:
        content = [values[k] for k in ("channel", "address", "source_type", "source_id")]
        content += [subject, message.body]
        key = hashlib.sha256(json.dumps(content).encode()).hexdigest()
    values.update(
        id=new_id(),
        dedup_key=required_text(key, "dedup_key", 200),
        created_at=now,
        not_before=(message.not_before or now).astimezone(UTC),
        attempts=0,
        status=PENDING,
    )
    return values


def _content_type(value: str, allowed: tuple[str, ...] | None) -> str:
    text = value.strip()
    if not MEDIA_TYPE.fullmatch(text):
        raise InvalidInput("content_type: a media type such as text/plain", "content_type")
    media = text.split(";")[0].strip().lower()
    if allowed is not None and media not in allowed:
        raise InvalidInput(f"content_type: one of {', '.join(allowed)}", field="content_type")
    return text


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    if len(headers) > MAX_HEADERS:
        raise InvalidInput(f"headers: at most {MAX_HEADERS}", field="headers")
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name) or name.lower() in RESERVED_HEADERS:
            raise InvalidInput(f"headers: {name!r} may not be set", field="headers")
        if not isinstance(value, str) or "\r" in value or "\n" in value or len(value) > 1000:
            raise InvalidInput(f"headers: {name}: one line of text", field="headers")
    return dict(headers)


def _meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return dict(json.loads(json.dumps(dict(meta))))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"meta: not JSON: {exc}", field="meta") from exc


def _classification(code: str | None) -> int | None:
    return None if code is None else scheme().classification(code).rank
