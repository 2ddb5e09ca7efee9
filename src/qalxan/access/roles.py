"""Roles and permissions, loaded once from ``roles.yaml``.

A permission is ``<type>:<action>`` (the agency's need-to-know applies), ``<type>:<action>@any``
(every agency's records, still bounded by clearance), or a platform permission such as
``audit:read``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from qalxan.errors import InvalidInput


class RoleNames(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    az: str
    ru: str


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: RoleNames
    permissions: tuple[str, ...]
    restricted: bool = False


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    record_types: dict[str, dict[str, str]]
    actions: dict[str, str]
    platform_permissions: dict[str, str]
    roles: dict[str, Role]

    @model_validator(mode="after")
    def _known_permissions(self) -> Catalogue:
        for role_id, role in self.roles.items():
            for permission in role.permissions:
                if not self.is_known(permission):
                    raise ValueError(f"roles.{role_id}: unknown permission {permission!r}")
        return self

    def is_known(self, permission: str) -> bool:
        if permission in self.platform_permissions:
            return True
        base = permission.removesuffix("@any")
        record_type, _, action = base.partition(":")
        return record_type in self.record_types and action in self.actions

    def permissions(self, roles: tuple[str, ...] | list[str]) -> frozenset[str]:
        granted: set[str] = set()
        for role_id in roles:
            granted.update(self.role(role_id).permissions)
        return frozenset(granted)

    def role(self, role_id: str, field: str = "roles") -> Role:
        try:
            return self.roles[role_id]
        except KeyError:
            known = ", ".join(self.roles)
            raise InvalidInput(
                f"{field}: unknown role {role_id!r} (one of {known})", field=field
            ) from None

    def check_roles(self, roles: list[str], field: str = "roles") -> list[str]:
        if not roles:
            raise InvalidInput(f"{field}: at least one role is required", field=field)
        for role_id in roles:
            self.role(role_id, field)
        return sorted(set(roles))

    def check_scopes(self, scopes: list[str], field: str = "scopes") -> list[str]:
        for scope in scopes:
            if not self.is_known(scope):
                raise InvalidInput(f"{field}: unknown permission {scope!r}", field=field)
        return sorted(set(scopes))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    text = resources.files("qalxan.access").joinpath("data/roles.yaml").read_text("utf-8")
    return Catalogue.model_validate(yaml.safe_load(text))
