"""Platform permissions (``audit:read``, ``oversight:read``, ``retention:run``), audited.

Record permissions go through :mod:`qalxan.access.policy`; these guard views and jobs that are
about no single record. A refused attempt is written to the audit trail before the error
propagates, so that probing the oversight views leaves a trace.
"""

from __future__ import annotations

from typing import Any

from qalxan.access import audit
from qalxan.access.principal import Principal
from qalxan.errors import Forbidden


def require_permission(principal: Principal, permission: str) -> None:
    if principal.must_change_password:
        raise Forbidden("the password must be changed before anything else")
    if not principal.has(permission):
        raise Forbidden(f"your roles do not permit {permission}")


def check_audited(
    ctx: audit.Context, permission: str, action: str, detail: dict[str, Any] | None = None
) -> None:
    """Like :func:`require_permission`; a refusal is recorded as ``action`` with ``denied``."""
    try:
        require_permission(ctx.principal, permission)
    except Forbidden as exc:
        audit.record_failure(ctx, audit.Entry(action, detail=dict(detail or {})), exc)
        raise
