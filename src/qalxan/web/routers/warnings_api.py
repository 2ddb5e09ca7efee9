"""Early warnings: ``/api/v1/warnings``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/warnings", tags=["picture"])
