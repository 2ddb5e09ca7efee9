"""Who is acting: the principal every policy decision and audit record is about.

A principal is built by an identity provider (local passwords, API keys, or an external OIDC
provider) and is all the capabilities ever see of identity, so that adding a provider never
touches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qalxan.access.roles import catalogue

Via = Literal["session", "api_key", "basic", "cli", "system"]
Scope = Literal["agency", "any"]


@dataclass(frozen=True)
class Principal:
    user_id: str | None
    username: str
    agency_id: str | None
    unit_id: str | None
    roles: tuple[str, ...]
    clearance: int
    via: Via
    scopes: frozenset[str] | None = None
    must_change_password: bool = False
    permissions: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        granted = catalogue().permissions(self.roles)
        if self.scopes is not None:
            # An API key can only narrow what its user may do, never widen it.
            granted = frozenset(p for p in granted if p in self.scopes)
        object.__setattr__(self, "permissions", granted)

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def scope(self, record_type: str, action: str) -> Scope | None:
        """How far ``action`` on ``record_type`` reaches for this principal, if at all."""
        base = f"{record_type}:{action}"
        if f"{base}@any" in self.permissions:
            return "any"
        if base in self.permissions:
            return "agency"
        return None
