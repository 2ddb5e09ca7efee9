"""Files attached to reports and cases, stored once per content.

The bytes live under ``DATA_DIR/blobs/<first two hex>/<sha256>``; the ``attachments`` row says
which record a file belongs to, its name and type, and who added it. Reading a file needs read
access to its record; adding one needs the right to add to it. Both are audited.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from qalxan.access import audit, policy
from qalxan.access.tables import Protected
from qalxan.errors import InvalidInput, NotFound, PayloadTooLarge
from qalxan.intake.tables import AttachmentRow
from qalxan.store.ids import new_id

MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
# Adding a file to a report is part of reporting it; to a case, part of working it.
ADD_ACTION = {"report": "create", "case": "update"}


@dataclass(frozen=True)
class Blobs:
    root: Path

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a crash never leaves a half file under its hash.
            fd, temp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, target)
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()


def add(
    ctx: audit.Context,
    blobs: Blobs,
    model: type[Protected],
    record_id: str,
    filename: str,
    media_type: str,
    data: bytes,
    max_bytes: int,
) -> AttachmentRow:
    record_type = model.record_type
    with audit.recorded(ctx, f"{record_type}.attach", record_type, record_id) as rec:
        policy.require(ctx.principal, record_type, ADD_ACTION[record_type])
        row: Protected = policy.load(rec.session, ctx.principal, model, record_id)
        rec.entry.record_agency = row.owner_agency
        if len(data) > max_bytes:
            raise PayloadTooLarge(f"file: larger than {max_bytes} bytes", "file")
        if not data:
            raise InvalidInput("file: empty", "file")
        name = _filename(filename)
        kind = (media_type or "application/octet-stream").split(";")[0].strip().lower()
        if not MEDIA_TYPE.match(kind):
            raise InvalidInput("file: not a media type", "file")
        digest = blobs.put(data)
        attachment = AttachmentRow(
            id=new_id(),
            record_type=record_type,
            record_id=record_id,
            sha256=digest,
            filename=name,
            media_type=kind,
            size=len(data),
            added_by=ctx.principal.username,
            added_at=datetime.now(UTC),
        )
        rec.session.add(attachment)
        rec.entry.detail = {"attachment": attachment.id, "sha256": digest, "size": len(data)}
    return attachment


def get(
    ctx: audit.Context, blobs: Blobs, model: type[Protected], record_id: str, attachment_id: str
) -> tuple[AttachmentRow, bytes]:
    record_type = model.record_type
    with audit.recorded(ctx, f"{record_type}.attachment", record_type, record_id) as rec:
        row: Protected = policy.load(rec.session, ctx.principal, model, record_id)
        rec.entry.record_agency = row.owner_agency
        attachment = rec.session.get(AttachmentRow, attachment_id)
        if (
            attachment is None
            or attachment.record_type != record_type
            or attachment.record_id != record_id
        ):
            raise NotFound("no such attachment", "attachment_id")
        rec.entry.detail = {"attachment": attachment_id}
    return attachment, blobs.get(attachment.sha256)


def _filename(name: str) -> str:
    # Only the last path part, without control characters: names are shown and offered back
    # as download names.
    base = re.split(r"[\\\\/]", name or "")[-1]
    clean = "".join(ch for ch in base if ch.isprintable()).strip()[:255]
    if not clean or clean in (".", ".."):
        raise InvalidInput("file: needs a file name", "file")
    return clean
