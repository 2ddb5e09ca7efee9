"""The national threat picture: ``/api/v1/picture``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/picture", tags=["picture"])
