"""Attached files in API answers: their description, and the download response."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Response

from qalxan.access.sessions import aware
from qalxan.intake.tables import AttachmentRow


def file_response(row: AttachmentRow, data: bytes) -> Response:
    # Always a download, never rendered by the browser: an uploaded HTML file must not run.
    return Response(
        data,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


def attachment_out(row: AttachmentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "added_by": row.added_by,
        "added_at": aware(row.added_at),
    }
