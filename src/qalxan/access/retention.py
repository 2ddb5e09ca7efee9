"""Retention: records kept only as long as ``data/retention.yaml`` says, then deleted.

Each record type of the schedule has a purger in :data:`PURGERS` (an explicit registry; a
schedule entry without one fails on load). :func:`run` deletes in batches; each batch is one
audited ``retention.purge`` action, committed in the same transaction as the delete, naming
the record type, the count and (up to :data:`IDS_IN_AUDIT`) the ids. The audit trail itself is
never purged (see the YAML). Needs ``retention:run``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, delete, func, or_, select

from qalxan.access import audit, records
from qalxan.access.permits import check_audited
from qalxan.access.tables import (
    ApiKeyRow,
    ComplaintEventRow,
    LoginFailureRow,
    SessionRow,
    ShareRow,
)
from qalxan.store.engine import transaction

PERMISSION = "retention:run"
BATCH = 500
IDS_IN_AUDIT = 100


@dataclass(frozen=True)
class Purger:
    """How to delete one record type: its table, and the rows that hang off its records."""

    model: type[Any]
    # Foreign-key columns of child rows deleted with the record (complaint events).
    children: tuple[Any, ...] = ()
    # Records that can be shared have their ``record_shares`` rows deleted with them.
    shared: bool = False


PURGERS: dict[str, Purger] = {
    "session": Purger(SessionRow),
    "login_failure": Purger(LoginFailureRow),
    "api_key": Purger(ApiKeyRow),
    "complaint": Purger(
        records.MODELS["complaint"], children=(ComplaintEventRow.complaint_id,), shared=True
    ),
    "bulletin": Purger(records.MODELS["bulletin"], shared=True),
}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    keep_days: int = Field(ge=1)
    clock: tuple[str, ...] = Field(min_length=1)
    action: Literal["delete"]
    legal_basis: str = Field(min_length=1)


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    types: dict[str, Rule]

    @model_validator(mode="after")
    def _purgeable(self) -> Schedule:
        for name, rule in self.types.items():
            purger = PURGERS.get(name)
            if purger is None:
                raise ValueError(f"types.{name}: no purger knows this record type")
            columns = purger.model.__table__.columns
            unknown = [c for c in rule.clock if c not in columns]
            if unknown:
                raise ValueError(f"types.{name}.clock: {unknown[0]!r} is not a column")
        return self


@lru_cache(maxsize=1)
def schedule() -> Schedule:
    text = resources.files("qalxan.access").joinpath("data/retention.yaml").read_text("utf-8")
    return Schedule.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class Result:
    record_type: str
    cutoff: datetime
    count: int
    dry_run: bool


def expired(purger: Purger, rule: Rule, cutoff: datetime) -> ColumnElement[bool]:
    """SQL: the earliest set clock column is before ``cutoff`` (i.e. any of them is)."""
    return or_(*(getattr(purger.model, column) < cutoff for column in rule.clock))


def run(ctx: audit.Context, now: datetime | None = None, dry_run: bool = False) -> list[Result]:
    """Apply the schedule as of ``now``; with ``dry_run`` only count (and audit the preview)."""
    check_audited(ctx, PERMISSION, "retention.purge")
    at = (now or datetime.now(UTC)).astimezone(UTC)
    results = []
    for name, rule in schedule().types.items():
        purger = PURGERS[name]
        cutoff = at - timedelta(days=rule.keep_days)
        if dry_run:
            with transaction(ctx.trail.engine) as session:
                count = session.scalar(
                    select(func.count())
                    .select_from(purger.model)
                    .where(expired(purger, rule, cutoff))
                )
        else:
            count = purge(ctx, name, purger, rule, cutoff)
        results.append(Result(name, cutoff, int(count or 0), dry_run))
    if dry_run:
        counts = {r.record_type: r.count for r in results}
        audit.record(ctx, audit.Entry("retention.preview", detail={"would_purge": counts}))
    return results


def purge(ctx: audit.Context, name: str, purger: Purger, rule: Rule, cutoff: datetime) -> int:
    """Delete the expired records of one type, a batch per audited transaction.

    The first batch is recorded even when empty, so the trail shows every run of the schedule.
    """
    total = 0
    id_column = purger.model.id
    while True:
        with audit.recorded(ctx, "retention.purge", name) as rec:
            session = rec.session
            ids = list(
                session.scalars(
                    select(id_column)
                    .where(expired(purger, rule, cutoff))
                    .order_by(id_column)
                    .limit(BATCH)
                )
            )
            detail: dict[str, Any] = {
                "count": len(ids),
                "cutoff": audit.timestamp(cutoff),
                "keep_days": rule.keep_days,
                "clock": list(rule.clock),
                "ids": [str(i) for i in ids[:IDS_IN_AUDIT]],
                "ids_truncated": len(ids) > IDS_IN_AUDIT,
            }
            if ids:
                for column in purger.children:
                    session.execute(delete(column.class_).where(column.in_(ids)))
                if purger.shared:
                    shares = session.execute(
                        delete(ShareRow).where(
                            ShareRow.record_type == purger.model.record_type,
                            ShareRow.record_id.in_(ids),
                        )
                    )
                    detail["shares_deleted"] = int(getattr(shares, "rowcount", 0) or 0)
                session.execute(delete(purger.model).where(id_column.in_(ids)))
            rec.entry.detail = detail
        total += len(ids)
        if len(ids) < BATCH:
            return total
