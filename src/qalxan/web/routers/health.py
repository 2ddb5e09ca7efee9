"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from qalxan import __version__
from qalxan.web.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> dict[str, Any]:
    """The platform answers and its database is reachable."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
