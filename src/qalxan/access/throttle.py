"""Login lockout: too many failures for a user name, or from an address, lock out further tries.

A locked-out attempt is refused before the password is checked, the same way whether or not
the user exists, so lockout discloses nothing about which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qalxan.access.tables import LoginFailureRow

ADDRESS_FACTOR = 10


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    found = [(f"user:{username.strip().lower()}", 1)]
    if ip:
        found.append((f"ip:{ip}", ADDRESS_FACTOR))
    return found


def locked_for(session: Session, username: str, ip: str | None, limits: Limits) -> int:
    """Seconds until another attempt is allowed (0: allowed now)."""
    since = datetime.now(UTC) - limits.window
    wait = 0
    for key, factor in keys(username, ip):
        rows = session.execute(
            select(func.count(), func.max(LoginFailureRow.at)).where(
                LoginFailureRow.key == key, LoginFailureRow.at > since
            )
        ).one()
        failures, newest = rows
        if failures >= limits.max_failures * factor and newest is not None:
            newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
            remaining = newest + limits.window - datetime.now(UTC)
            wait = max(wait, int(remaining.total_seconds()) + 1)
    return wait


def fail(session: Session, username: str, ip: str | None) -> None:
    for key, _ in keys(username, ip):
        session.add(LoginFailureRow(key=key))


def clear(session: Session, username: str) -> None:
    """A successful login forgives the user name's failures (not the address's)."""
    key = keys(username, None)[0][0]
    session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))


def unlock(session: Session, username: str) -> int:
    result = session.execute(
        delete(LoginFailureRow).where(LoginFailureRow.key == keys(username, None)[0][0])
    )
    return int(getattr(result, "rowcount", 0) or 0)
