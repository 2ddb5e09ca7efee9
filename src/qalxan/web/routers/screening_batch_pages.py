"""The batch screening page: a CSV file of parties checked whole, then screened in the background
while the page shows its progress, and the results offered for download to whoever started it.

The file is read and checked before anything runs (:func:`batch.read_queries`): a bad line is
sent back as ``line N: column: reason`` and nothing is screened. The screening itself is
:func:`batch.run`, the command line's, which checks ``screening:create`` and audits the batch as
one ``screening.batch`` record. It runs in a thread of the web process, kept in a small registry
of that process (:class:`Jobs`) under a random id; the page's script polls
``GET /screening/batch/{job}``. A batch, its progress and its results are the starter's only:
anyone else is answered as if it did not exist.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, QalxanError
from qalxan.screening import batch, lists, service
from qalxan.screening.holder import IndexHolder
from qalxan.web.deps import ScreeningDep
from qalxan.web.errors import status_of
from qalxan.web.forms import Form
from qalxan.web.routers.incident_pages import FORM_ERRORS, Desk, DeskDep, echo, see_other
from qalxan.web.routers.report_pages import upload_form

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024
TOPS = (1, 3, 5, 10)
# How long a finished batch and its results are kept for download.
KEEP_SECONDS = 3600
RUNNING, DONE, FAILED = "running", "done", "failed"
JobId = Annotated[str, PathParam(min_length=1, max_length=64)]
_UNSAFE = re.compile(r"[^\w.-]+")
_REGISTRY = threading.Lock()


@dataclass
class Job:
    """One batch: written by its own thread only, read by the pages."""

    id: str
    owner: str
    file: str
    folder: Path
    total: int
    done: int = 0
    state: str = RUNNING
    error: str | None = None
    outcome: batch.BatchOutcome | None = None
    finished_at: float | None = None

    @property
    def source(self) -> Path:
        return self.folder / self.file

    @property
    def results(self) -> Path:
        return self.folder / "results.csv"

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count)

    def status(self) -> dict[str, Any]:
        state, outcome = self.state, self.outcome  # the state is set last: read it first
        return {
            "id": self.id,
            "file": self.file,
            "state": state,
            "done": self.total if state == DONE else self.done,
            "total": self.total,
            "alerts": outcome.alerts if outcome else None,
            "flagged": outcome.flagged if outcome else None,
            "rows": outcome.rows if outcome else None,
            "error": self.error,
            "results": f"/screening/batch/{self.id}/results.csv" if state == DONE else None,
        }


class Jobs:
    """The batches of one web process, by random id; each seen only by its owner."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(
        self, ctx: audit.Context, holder: IndexHolder, name: str, data: bytes, use: str, top: int
    ) -> Job:
        """Check the file whole, then screen it in a thread of its own."""
        owner = owner_of(ctx.principal)
        # mkdtemp: a folder only this process's user may read; the file names people.
        folder = Path(tempfile.mkdtemp(prefix="qalxan-batch-"))
        try:
            (folder / name).write_bytes(data)
            total = len(batch.read_queries(folder / name))
            with self._lock:
                self._prune()
                if any(j.owner == owner and j.state == RUNNING for j in self._jobs.values()):
                    raise Conflict("file: a batch of yours is still running; wait for it", "file")
                job = Job(secrets.token_urlsafe(16), owner, name, folder, total)
                self._jobs[job.id] = job
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        worker = threading.Thread(
            target=self._run, args=(job, ctx, holder, use, top), name="screening-batch", daemon=True
        )
        worker.start()
        return job

    def get(self, job_id: str, owner: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFound(f"job: no batch {job_id!r} of yours", "job")
        return job

    def _run(self, job: Job, ctx: audit.Context, holder: IndexHolder, use: str, top: int) -> None:
        try:
            # One worker, this thread: the web server's processes are there to serve requests,
            # and a process pool forked from a threaded server would copy its locks mid-use.
            job.outcome = batch.run(
                ctx,
                holder,
                job.source,
                job.results,
                use=use,
                top=top,
                workers=1,
                progress=job.advance,
            )
            job.state = DONE
        except QalxanError as exc:
            job.error, job.state = exc.message, FAILED
        except Exception:
            log.exception("screening batch %s failed", job.id)
            job.error, job.state = "the batch failed; nothing was written", FAILED
        finally:
            job.finished_at = time.monotonic()
            job.source.unlink(missing_ok=True)  # the uploaded names are not kept

    def _prune(self) -> None:
        """Forget finished batches older than :data:`KEEP_SECONDS` (called under the lock)."""
        now = time.monotonic()
        for job in list(self._jobs.values()):
            if job.finished_at is not None and now - job.finished_at > KEEP_SECONDS:
                del self._jobs[job.id]
                shutil.rmtree(job.folder, ignore_errors=True)


def jobs_of(request: Request) -> Jobs:
    """The application's batch registry, made on first use."""
    state = request.app.state
    with _REGISTRY:
        found = getattr(state, "screening_jobs", None)
        if not isinstance(found, Jobs):
            found = state.screening_jobs = Jobs()
    return found


def owner_of(principal: Principal) -> str:
    return principal.user_id or principal.username


def file_name(given: str) -> str:
    """The uploaded file's own name, made safe to store (the audit record names it)."""
    base = _UNSAFE.sub("_", given.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")[:100]
    return base if base.lower().endswith(".csv") else f"{base or 'batch'}.csv"


def top_of(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= service.MAX_TOP:
        raise InvalidInput(f"top: a whole number from 1 to {service.MAX_TOP}", "top")
    return int(value)


def batch_page(
    desk: Desk,
    job: Job | None = None,
    values: dict[str, str] | None = None,
    error: QalxanError | None = None,
) -> HTMLResponse:
    policy.require(desk.principal, service.RECORD_TYPE, "create")
    uses = lists.uses()
    context = {
        "job": job.status() if job else None,
        "values": values or {"use": uses[0], "top": "3"},
        "uses": uses,
        "tops": TOPS,
        "columns": (*batch.REQUIRED, *batch.OPTIONAL),
        "max_mb": MAX_BYTES // (1024 * 1024),
        "error": error,
    }
    return desk.show("screening/batch.html", context, status_of(error) if error else 200)


@router.get("/screening/batch", response_class=HTMLResponse)
def batch_form(
    desk: DeskDep, job: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    found = jobs_of(desk.request).get(job, owner_of(desk.principal)) if job else None
    return batch_page(desk, found)


@router.post("/screening/batch", response_class=HTMLResponse)
async def start_batch(
    desk: DeskDep, holder: ScreeningDep, form: Annotated[Form, Depends(upload_form)]
) -> Response:
    values = echo(form, {"use": 16, "top": 4})
    upload = form.data.get("file")
    try:
        policy.require(desk.principal, service.RECORD_TYPE, "create")
        use, top = lists.check_use(values["use"]), top_of(values["top"])
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("file: choose a CSV file of parties to screen", "file")
        data = await upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise PayloadTooLarge(f"file: at most {MAX_BYTES // (1024 * 1024)} MB", "file")
        name = file_name(upload.filename)
        registry = jobs_of(desk.request)
        job = await run_in_threadpool(registry.start, desk.ctx, holder, name, data, use, top)
    except (*FORM_ERRORS, PayloadTooLarge) as exc:
        return await run_in_threadpool(batch_page, desk, None, values, exc)
    return see_other(f"/screening/batch?job={job.id}")


@router.get("/screening/batch/{job_id}")
def batch_progress(desk: DeskDep, job_id: JobId) -> dict[str, Any]:
    """Where the caller's batch stands, for the page's script."""
    return jobs_of(desk.request).get(job_id, owner_of(desk.principal)).status()


@router.get("/screening/batch/{job_id}/results.csv")
def batch_results(desk: DeskDep, job_id: JobId) -> FileResponse:
    job = jobs_of(desk.request).get(job_id, owner_of(desk.principal))
    if job.state != DONE:
        raise Conflict("job: the batch has not finished", "job")
    name = f"{job.file.removesuffix('.csv')}-results.csv"
    return FileResponse(job.results, media_type="text/csv; charset=utf-8", filename=name)
