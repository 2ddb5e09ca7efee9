"""Accounts for tests: made through the real account code, signed in with real API keys."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine

from qalxan.access import accounts, apikeys
from qalxan.access.audit import Context
from qalxan.access.identity import principal_of
from qalxan.access.principal import Principal
from qalxan.access.tables import UserRow
from qalxan.bootstrap import operator_principal, trail
from qalxan.doctrine import loader
from qalxan.doctrine.registry import Doctrine
from qalxan.settings import Settings


@dataclass(frozen=True)
class Person:
    user: UserRow
    principal: Principal
    key: str | None

    @property
    def headers(self) -> dict[str, str]:
        assert self.key is not None, "made without an API key"
        return {"Authorization": f"Bearer {self.key}"}

    def ctx(self, engine: Engine, settings: Settings) -> Context:
        return Context(self.principal, trail(settings, engine), "127.0.0.1", "pytest")


@lru_cache(maxsize=1)
def load_bundled() -> Doctrine:
    """The bundled doctrine, loaded once per test process (validating it takes a second)."""
    return loader.load_bundled()


def operator(engine: Engine, settings: Settings) -> Context:
    return Context(operator_principal(settings, "cli:pytest"), trail(settings, engine))


def make_person(
    engine: Engine,
    settings: Settings,
    username: str,
    agency_id: str,
    roles: list[str],
    clearance: str = "secret",
    *,
    with_key: bool = True,
    password: str | None = None,
) -> Person:
    """An active account (no forced password change) with an API key of all its permissions."""
    user, _ = accounts.create(
        operator(engine, settings),
        load_bundled(),
        username=username,
        display_name=username,
        agency_id=agency_id,
        roles=roles,
        clearance=clearance,
        password=password or "correct horse battery staple",
    )
    principal = principal_of(user, "session")
    key = None
    if with_key and principal.has("apikeys:own"):
        ctx = Context(principal, trail(settings, engine), "127.0.0.1", "pytest")
        _, key = apikeys.create(ctx, "tests", sorted(principal.permissions))
    return Person(user, principal, key)
