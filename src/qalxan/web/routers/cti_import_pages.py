"""Importing a STIX bundle (or object) or a MISP event from the browser, optionally into a
collection the importer may write to; the page then says what was stored, what was already
there and what was refused, with every reason.

The file is read as JSON here and recognised by its shape
(:func:`qalxan.cti.sources.from_document`); storing is :func:`qalxan.cti.ingest.import_units`,
the command line's, which checks ``cti:create``, the importer's clearance and the collection's
write right, stores the content all or nothing and audits the import as one ``cti.import``
record. Large files and directories are for ``qalxan cti import``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qalxan.access import policy
from qalxan.cti import collections, ingest, sources
from qalxan.errors import InvalidInput, PayloadTooLarge, QalxanError
from qalxan.web import cti_shown
from qalxan.web.errors import status_of
from qalxan.web.forms import Form
from qalxan.web.routers.incident_pages import FORM_ERRORS, Desk, DeskDep
from qalxan.web.routers.report_pages import upload_form

router = APIRouter(include_in_schema=False)
MAX_BYTES = 8 * 1024 * 1024


def import_page(
    desk: Desk,
    result: ingest.Result | None = None,
    error: QalxanError | None = None,
    collection: str = "",
) -> HTMLResponse:
    policy.require(desk.principal, "cti", "create")
    writable = [c.row for c in collections.listing(desk.ctx) if c.rights.can_write]
    context: dict[str, Any] = {
        "result": result,
        "error": error,
        "writable": writable,
        "collection": collection,
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
    status = status_of(error) if error is not None else 200
    return cti_shown.show(desk, "cti/import.html", context, status)


@router.get("/cti/import", response_class=HTMLResponse)
def import_form(desk: DeskDep) -> HTMLResponse:
    return import_page(desk)


def unit_of(name: str, data: bytes) -> sources.Unit:
    """The file's content as one unit; a file that is not JSON is a refused unit."""
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        return sources.unreadable(name, f"not UTF-8 text: {exc.reason}")
    except json.JSONDecodeError as exc:
        return sources.unreadable(
            name, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        )
    return sources.from_document(document, name)


@router.post("/cti/import", response_class=HTMLResponse)
async def import_file(desk: DeskDep, form: Annotated[Form, Depends(upload_form)]) -> Response:
    upload = form.data.get("file")
    collection = str(form.data.get("collection") or "").strip()[:80]
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("file: choose a STIX bundle or a MISP event (JSON)", "file")
        data = await upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise PayloadTooLarge(f"file: at most {MAX_BYTES // (1024 * 1024)} MB", "file")
        unit = unit_of(upload.filename[:200], data)
        result = await run_in_threadpool(
            ingest.import_units, desk.ctx, [unit], collection or None, unit.origin
        )
    except (*FORM_ERRORS, PayloadTooLarge) as exc:
        return await run_in_threadpool(import_page, desk, None, exc, collection)
    return await run_in_threadpool(import_page, desk, result, None, collection)
