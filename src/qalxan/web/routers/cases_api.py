"""Cases: ``/api/v1/cases``, and acknowledging an incident (which opens the agency's case)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, UploadFile
from pydantic import BaseModel, Field

from qalxan.cases import assistance, reading, service, tasks
from qalxan.cases.tables import CaseRow
from qalxan.intake.paging import MAX_LIMIT
from qalxan.web import files
from qalxan.web.deps import CtxDep, DoctrineDep, SettingsDep

router = APIRouter(tags=["cases"])

CaseId = Annotated[str, Path(min_length=1, max_length=64)]
Id = Annotated[str, Path(min_length=1, max_length=64)]


class StatusIn(BaseModel):
    status: Annotated[str, Field(min_length=1, max_length=16)]
    reason: Annotated[str | None, Field(max_length=2000)] = None


class AssignIn(BaseModel):
    assignee_id: Annotated[str | None, Field(max_length=32)]


class CommentIn(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=service.MAX_COMMENT)]


class TaskIn(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    detail: Annotated[str | None, Field(max_length=tasks.MAX_DETAIL)] = None
    assignee_id: Annotated[str | None, Field(max_length=32)] = None
    due_at: datetime | None = None


class TaskStatusIn(BaseModel):
    status: Annotated[str, Field(min_length=1, max_length=16)]


class RequestIn(BaseModel):
    to_agency: Annotated[str, Field(min_length=1, max_length=80)]
    request: Annotated[str, Field(min_length=1, max_length=assistance.MAX_REQUEST)]


class AnswerIn(BaseModel):
    accept: bool
    answer: Annotated[str | None, Field(max_length=assistance.MAX_REQUEST)] = None


@router.post(
    "/incidents/{incident_id}/acknowledge",
    summary="Acknowledge an incident routed to one's agency; opens the agency's case",
)
def acknowledge(ctx: CtxDep, incident_id: Id) -> dict[str, Any]:
    return reading.out(service.acknowledge(ctx, incident_id))


@router.get("/cases", summary="The cases of one's agency, most recently changed first")
def list_cases(
    ctx: CtxDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    assignee_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    before: Annotated[str | None, Query(max_length=80)] = None,
) -> dict[str, Any]:
    page = reading.listing(ctx, status, assignee_id, limit, before)
    return {"results": [reading.out(c) for c in page.rows], "next": page.next}


@router.get("/cases/requests", summary="Requests for assistance waiting for one's agency")
def pending_requests(ctx: CtxDep) -> dict[str, Any]:
    return {"results": [reading.request_out(r) for r in assistance.pending(ctx)]}


@router.post("/cases/requests/{request_id}", summary="Accept or decline a request for assistance")
def answer_request(ctx: CtxDep, request_id: Id, body: AnswerIn) -> dict[str, Any]:
    return reading.request_out(assistance.answer(ctx, request_id, body.accept, body.answer))


@router.get("/cases/{case_id}", summary="One case with its timeline, tasks and requests")
def get_case(ctx: CtxDep, case_id: CaseId) -> dict[str, Any]:
    return reading.detail_out(reading.get(ctx, case_id))


@router.post("/cases/{case_id}/status", summary="Move the case in its workflow")
def change_status(ctx: CtxDep, case_id: CaseId, body: StatusIn) -> dict[str, Any]:
    return reading.out(service.change_status(ctx, case_id, body.status, body.reason))


@router.post("/cases/{case_id}/assign", summary="Assign the case to a member of its agency")
def assign(ctx: CtxDep, case_id: CaseId, body: AssignIn) -> dict[str, Any]:
    return reading.out(service.assign(ctx, case_id, body.assignee_id))


@router.post("/cases/{case_id}/comments", status_code=201, summary="Comment on the case")
def comment(ctx: CtxDep, case_id: CaseId, body: CommentIn) -> dict[str, Any]:
    event = service.comment(ctx, case_id, body.text)
    return {"kind": event.kind, "detail": event.detail, "actor": event.actor}


@router.post("/cases/{case_id}/tasks", status_code=201, summary="Add a task to the case")
def add_task(ctx: CtxDep, case_id: CaseId, body: TaskIn) -> dict[str, Any]:
    task = tasks.add(ctx, case_id, body.title, body.detail, body.assignee_id, body.due_at)
    return reading.task_out(task)


@router.post("/cases/{case_id}/tasks/{task_id}", summary="Mark a task done or cancelled")
def task_status(ctx: CtxDep, case_id: CaseId, task_id: Id, body: TaskStatusIn) -> dict[str, Any]:
    return reading.task_out(tasks.set_status(ctx, case_id, task_id, body.status))


@router.post(
    "/cases/{case_id}/requests", status_code=201, summary="Ask another agency for assistance"
)
def request_assistance(
    ctx: CtxDep, doctrine: DoctrineDep, case_id: CaseId, body: RequestIn
) -> dict[str, Any]:
    ask = assistance.request(ctx, doctrine, case_id, body.to_agency, body.request)
    return reading.request_out(ask)


@router.post("/cases/{case_id}/attachments", status_code=201, summary="Attach a file to a case")
async def attach(
    ctx: CtxDep, settings: SettingsDep, case_id: CaseId, file: UploadFile
) -> dict[str, Any]:
    return await files.receive(ctx, settings, CaseRow, case_id, file)


@router.get("/cases/{case_id}/attachments/{attachment_id}", summary="Download a case file")
def download(ctx: CtxDep, settings: SettingsDep, case_id: CaseId, attachment_id: Id) -> Response:
    return files.send(ctx, settings, CaseRow, case_id, attachment_id)
