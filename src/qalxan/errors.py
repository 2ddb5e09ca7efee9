"""The domain exception hierarchy. The web layer maps these to HTTP in one place.

QalxanError
├── NotFound            a record that does not exist (or may not be known to exist)   -> 404
├── InvalidInput        input that breaks a rule; names the field and the reason       -> 422
├── Conflict            input that contradicts stored state                            -> 409
├── PayloadTooLarge     an upload over its size limit                                  -> 413
├── Unauthorized        no or bad credentials                                          -> 401
├── Forbidden           known caller without the right to do this                      -> 403
├── TooManyRequests     too many attempts; ``retry_after`` seconds                      -> 429
└── DoctrineLoadError   a doctrine file that does not validate; names file and field
"""

from __future__ import annotations

from pydantic import ValidationError


class QalxanError(Exception):
    """Base of every error the platform raises on purpose."""

    code = "error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(QalxanError):
    code = "not_found"


class InvalidInput(QalxanError):
    code = "invalid_input"


class Conflict(QalxanError):
    code = "conflict"


class PayloadTooLarge(QalxanError):
    code = "payload_too_large"


def first_problem(error: ValidationError) -> tuple[str, str]:
    """Where the first value pydantic refused sits (``a.b.0``; empty at the top) and why."""
    found = error.errors()
    if not found:
        return "", str(error)
    return ".".join(str(part) for part in found[0]["loc"]), found[0]["msg"]


def required_text(
    value: str, field: str, max_length: int, missing: str = "must not be empty"
) -> str:
    """``value`` stripped, or :class:`InvalidInput` naming ``field`` when empty or too long."""
    text = value.strip()
    if not text:
        raise InvalidInput(f"{field}: {missing}", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field}: at most {max_length} characters", field=field)
    if "\x00" in text:
        # No text of ours holds one, and PostgreSQL refuses it (at the write, as a failure).
        raise InvalidInput(f"{field}: contains a NUL character", field=field)
    return text


class Unauthorized(QalxanError):
    code = "unauthorized"


class Forbidden(QalxanError):
    code = "forbidden"


class TooManyRequests(QalxanError):
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DoctrineLoadError(QalxanError):
    """A doctrine version that cannot be loaded, with the file and the field at fault."""

    code = "doctrine_invalid"

    def __init__(self, file: str, field: str | None, reason: str) -> None:
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {reason}", field=field)
        self.file = file
        self.reason = reason
