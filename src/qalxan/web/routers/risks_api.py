"""The risk register: ``/api/v1/risks``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/risks", tags=["picture"])
