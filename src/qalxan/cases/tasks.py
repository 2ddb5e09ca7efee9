"""Tasks inside a case, for members of the case's agency."""

from __future__ import annotations

from datetime import UTC, datetime

from qalxan.access import audit
from qalxan.cases.service import add_event, check_member, load_case
from qalxan.cases.tables import TaskRow
from qalxan.errors import InvalidInput, NotFound, required_text
from qalxan.store.ids import new_id

STATUSES = ("open", "done", "cancelled")
MAX_DETAIL = 5_000


def add(
    ctx: audit.Context,
    case_id: str,
    title: str,
    detail: str | None = None,
    assignee_id: str | None = None,
    due_at: datetime | None = None,
) -> TaskRow:
    with audit.recorded(ctx, "case.task", "case", case_id) as rec:
        case = load_case(ctx, rec, case_id, "update")
        if assignee_id is not None:
            check_member(rec.session, case.owner_agency, assignee_id, "assignee_id")
        if due_at is not None and due_at.tzinfo is None:
            raise InvalidInput("due_at: needs a UTC offset", "due_at")
        now = datetime.now(UTC)
        task = TaskRow(
            id=new_id(),
            case_id=case_id,
            title=required_text(title, "title", 300),
            detail=required_text(detail, "detail", MAX_DETAIL) if detail else None,
            assignee_id=assignee_id,
            due_at=due_at,
            status="open",
            created_by=ctx.principal.username,
            created_at=now,
        )
        rec.session.add(task)
        case.updated_at = now
        info = {"task": task.id, "title": task.title, "assignee_id": assignee_id}
        add_event(rec.session, case, ctx.principal, "task", info, now)
        rec.entry.detail = info
    return task


def set_status(ctx: audit.Context, case_id: str, task_id: str, status: str) -> TaskRow:
    if status not in STATUSES:
        raise InvalidInput(f"status: one of {', '.join(STATUSES)}", "status")
    with audit.recorded(ctx, "case.task-status", "case", case_id) as rec:
        case = load_case(ctx, rec, case_id, "update")
        task = rec.session.get(TaskRow, task_id)
        if task is None or task.case_id != case_id:
            raise NotFound(f"the case has no task {task_id!r}", "task_id")
        now = datetime.now(UTC)
        info = {"task": task_id, "from": task.status, "to": status}
        task.status = status
        task.done_at = now if status != "open" else None
        case.updated_at = now
        add_event(rec.session, case, ctx.principal, "task_status", info, now)
        rec.entry.detail = info
    return task
