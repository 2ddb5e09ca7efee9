"""Opaque secrets handed to clients; the database keeps only their SHA-256.

Session tokens and API key secrets carry 256 random bits, so a fast hash is as safe as a slow
one and keeps authentication well under a millisecond; comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def csrf_token(secret: str, session_token: str) -> str:
    """The CSRF token bound to a session: forms and scripts send it back; attackers cannot."""
    return hmac.new(
        secret.encode("utf-8"), b"csrf:" + session_token.encode("utf-8"), hashlib.sha256
    ).hexdigest()
