"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qalxan.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; a missing hash costs as much as a wrong one."""
    try:
        return hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return hasher().check_needs_rehash(stored)


def check_new_password(password: str, username: str, field: str = "password") -> None:
    """Refuse a password that is too short, too long, or made of the user name."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"{field}: must be at least {MIN_LENGTH} characters long", field=field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"{field}: must be at most {MAX_LENGTH} characters long", field=field)
    if username.lower() in password.lower():
        raise InvalidInput(f"{field}: must not contain the user name", field=field)
    if len(set(password)) < 5:
        raise InvalidInput(f"{field}: uses too few different characters", field=field)


def generate_password() -> str:
    """A random one-time password (about 120 bits)."""
    return secrets.token_urlsafe(15)
