"""Record ids: random, so that an id tells nothing about how many records exist or when."""

from __future__ import annotations

import secrets


def new_id() -> str:
    return secrets.token_hex(12)
