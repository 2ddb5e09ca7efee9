"""Reading cases: the agency's queue (a page of its cases, filtered) and one case with its
timeline, tasks and requests for assistance (audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from qalxan.access import audit, policy
from qalxan.access.sessions import aware
from qalxan.cases.tables import AssistanceRow, CaseEventRow, CaseRow, TaskRow
from qalxan.cases.workflow import workflow
from qalxan.errors import InvalidInput
from qalxan.intake import paging

RECORD_TYPE = CaseRow.record_type


@dataclass
class Detail:
    case: CaseRow
    events: list[CaseEventRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    requests: list[AssistanceRow] = field(default_factory=list)


def get(ctx: audit.Context, case_id: str) -> Detail:
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, case_id) as rec:
        session = rec.session
        case: CaseRow = policy.load(session, ctx.principal, CaseRow, case_id)
        rec.entry.record_agency = case.owner_agency
        detail = Detail(
            case,
            list(
                session.scalars(
                    select(CaseEventRow)
                    .where(CaseEventRow.case_id == case_id)
                    .order_by(CaseEventRow.id)
                )
            ),
            list(
                session.scalars(
                    select(TaskRow).where(TaskRow.case_id == case_id).order_by(TaskRow.created_at)
                )
            ),
            list(
                session.scalars(
                    select(AssistanceRow)
                    .where(AssistanceRow.case_id == case_id)
                    .order_by(AssistanceRow.created_at)
                )
            ),
        )
    return detail


def listing(
    ctx: audit.Context,
    status: str | None = None,
    assignee_id: str | None = None,
    limit: int = 50,
    before: str | None = None,
) -> paging.Page[CaseRow]:
    with audit.recorded(ctx, f"{RECORD_TYPE}.list", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = select(CaseRow).where(policy.visible(ctx.principal, CaseRow))
        if status is not None:
            if status not in workflow().statuses:
                raise InvalidInput(f"status: one of {', '.join(workflow().statuses)}", "status")
            query = query.where(CaseRow.status == status)
        if assignee_id is not None:
            query = query.where(CaseRow.assignee_id == assignee_id)
        query = paging.after(query, CaseRow.updated_at, CaseRow.id, before, limit)
        found = paging.page(
            list(rec.session.scalars(query)), limit, lambda r: r.updated_at, lambda r: r.id
        )
        rec.entry.detail = {"count": len(found.rows), "ids": [r.id for r in found.rows]}
    return found


def out(case: CaseRow) -> dict[str, Any]:
    return {
        "id": case.id,
        "incident_id": case.incident_id,
        "agency": case.owner_agency,
        "title": case.title,
        "status": case.status,
        "priority": case.priority,
        "assignee_id": case.assignee_id,
        "opened_by": case.opened_by,
        "opened_at": aware(case.opened_at),
        "updated_at": aware(case.updated_at),
        "closed_at": case.closed_at and aware(case.closed_at),
    }


def detail_out(detail: Detail) -> dict[str, Any]:
    return {
        **out(detail.case),
        "timeline": [
            {"kind": e.kind, "detail": e.detail, "actor": e.actor, "at": aware(e.at)}
            for e in detail.events
        ],
        "tasks": [task_out(t) for t in detail.tasks],
        "requests": [request_out(r) for r in detail.requests],
    }


def task_out(task: TaskRow) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "detail": task.detail,
        "assignee_id": task.assignee_id,
        "due_at": task.due_at and aware(task.due_at),
        "status": task.status,
        "created_by": task.created_by,
        "created_at": aware(task.created_at),
        "done_at": task.done_at and aware(task.done_at),
    }


def request_out(ask: AssistanceRow) -> dict[str, Any]:
    return {
        "id": ask.id,
        "case_id": ask.case_id,
        "from_agency": ask.from_agency,
        "to_agency": ask.to_agency,
        "request": ask.request,
        "status": ask.status,
        "answer": ask.answer,
        "target_case_id": ask.target_case_id,
        "created_by": ask.created_by,
        "created_at": aware(ask.created_at),
        "answered_at": ask.answered_at and aware(ask.answered_at),
    }
