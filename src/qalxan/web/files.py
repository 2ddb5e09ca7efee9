"""Attached files over the API: receiving an upload, sending a download, describing a file.
Reports and cases share these; the core (:mod:`qalxan.intake.attachments`) decides access."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Response, UploadFile
from starlette.concurrency import run_in_threadpool

from qalxan.access.audit import Context
from qalxan.access.sessions import aware
from qalxan.access.tables import Protected
from qalxan.intake import attachments
from qalxan.intake.tables import AttachmentRow
from qalxan.settings import Settings


def blobs(settings: Settings) -> attachments.Blobs:
    return attachments.Blobs(settings.data_dir / "blobs")


async def receive(
    ctx: Context, settings: Settings, model: type[Protected], record_id: str, file: UploadFile
) -> dict[str, Any]:
    """Store an uploaded file for a record; one byte over the limit is enough to refuse it."""
    data = await file.read(settings.attachment_max_bytes + 1)
    row = await run_in_threadpool(
        attachments.add,
        ctx,
        blobs(settings),
        model,
        record_id,
        file.filename or "",
        file.content_type or "",
        data,
        settings.attachment_max_bytes,
    )
    return attachment_out(row)


def send(
    ctx: Context, settings: Settings, model: type[Protected], record_id: str, attachment_id: str
) -> Response:
    row, data = attachments.get(ctx, blobs(settings), model, record_id, attachment_id)
    return file_response(row, data)


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
