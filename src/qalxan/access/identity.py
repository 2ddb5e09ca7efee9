"""From an account to a principal, and the identity providers that vouch for accounts.

A provider turns credentials into a :class:`UserRow`; everything after that (sessions, the
policy, the audit) works on the :class:`Principal` made here. The local provider checks argon2
passwords. An external provider (OIDC) would map a verified token's subject to an account with
``provider='oidc'`` and ``external_subject=<sub>`` and hand it to :func:`sessions.start`; no
capability changes, because none of them ever sees credentials.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from qalxan.access import passwords
from qalxan.access.accounts import by_username
from qalxan.access.principal import Principal, Via
from qalxan.access.tables import UserRow


def principal_of(user: UserRow, via: Via, scopes: frozenset[str] | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        agency_id=user.agency_id,
        unit_id=user.unit_id,
        roles=tuple(user.roles),
        clearance=user.clearance,
        via=via,
        scopes=scopes,
        must_change_password=user.must_change_password,
    )


def anonymous(username: str, via: Via = "session") -> Principal:
    """Someone not (yet) authenticated, e.g. a login attempt, as the audit names them."""
    return Principal(
        user_id=None,
        username=username[:200],
        agency_id=None,
        unit_id=None,
        roles=(),
        clearance=0,
        via=via,
    )


class IdentityProvider(Protocol):
    name: str

    def authenticate(self, session: Session, username: str, secret: str) -> UserRow | None:
        """The account these credentials prove, or None; must take as long either way."""


class LocalPasswords:
    """Accounts with an argon2 password hash in the platform's database."""

    name = "local"

    def authenticate(self, session: Session, username: str, secret: str) -> UserRow | None:
        user = by_username(session, username)
        stored = user.password_hash if user is not None and user.provider == self.name else None
        # A missing user costs one argon2 verification too (against a dummy hash).
        if not passwords.verify_password(stored, secret) or user is None or user.disabled:
            return None
        if stored is not None and passwords.needs_rehash(stored):
            user.password_hash = passwords.hash_password(secret)
        return user
