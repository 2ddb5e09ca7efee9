"""Reading the audit trail: filtered, keyset-paged, exportable as CSV. Needs ``audit:read``.

Every read and every export is itself written to the trail (``audit.read``, ``audit.export``)
with the filters used, so that overseers are overseen too. Pages follow ``seq`` upwards: the
cursor is the last ``seq`` seen, which stays valid however many records are appended.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, get_args

from sqlalchemy import ColumnElement, Engine, func, select

from qalxan.access import audit, chain
from qalxan.access.periods import as_utc
from qalxan.access.permits import check_audited, require_permission
from qalxan.access.tables import AuditRow
from qalxan.errors import InvalidInput

PERMISSION = "audit:read"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
EXPORT_BATCH = 2000
COLUMNS = list(AuditRow.__table__.columns)
CSV_FIELDS = [c.name for c in COLUMNS]
# A spreadsheet runs a cell starting with one of these as a formula; audit values come partly
# from callers (user names of login attempts, user agents), so they are defused on export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TrailFilter:
    """Which records to read; ``action`` ending in ``.`` or ``*`` matches as a prefix."""

    actor_id: str | None = None
    actor_agency: str | None = None
    action: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        for name in ("actor_id", "actor_agency", "record_type", "record_id"):
            value = getattr(self, name)
            if value is not None:
                found.append(getattr(AuditRow, name) == value)
        if self.outcome is not None:
            if self.outcome not in get_args(audit.Outcome):
                known = ", ".join(get_args(audit.Outcome))
                raise InvalidInput(
                    f"outcome: unknown outcome {self.outcome!r} (one of {known})", "outcome"
                )
            found.append(AuditRow.outcome == self.outcome)
        if self.action:
            if self.action.endswith(("*", ".")):
                prefix = self.action.rstrip("*")
                found.append(AuditRow.action.startswith(prefix, autoescape=True))
            else:
                found.append(AuditRow.action == self.action)
        if self.since is not None:
            found.append(AuditRow.at >= as_utc(self.since))
        if self.until is not None:
            found.append(AuditRow.at < as_utc(self.until))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    next_after_seq: int | None


def record_out(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["at"] = audit.timestamp(found["at"])
    return found


def page(
    ctx: audit.Context, filters: TrailFilter, after_seq: int = 0, limit: int = DEFAULT_LIMIT
) -> Page:
    """Records matching ``filters`` with ``seq > after_seq``, oldest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}", field="limit")
    with audit.recorded(ctx, "audit.read") as rec:
        rec.entry.detail = {"filters": filters.to_dict(), "after_seq": after_seq, "limit": limit}
        require_permission(ctx.principal, PERMISSION)
        rows = rec.session.execute(
            select(*COLUMNS)
            .where(AuditRow.seq > after_seq, *filters.conditions())
            .order_by(AuditRow.seq)
            .limit(limit + 1)
        ).all()
        rec.entry.detail["returned"] = min(len(rows), limit)
    records = [record_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page(records, records[-1]["seq"] if more else None)


def export_csv(ctx: audit.Context, filters: TrailFilter) -> Iterator[str]:
    """The matching records as CSV text, in chunks.

    The export is audited (with its row count) before the first chunk, and covers the trail as
    it stood then: records appended while it streams, its own included, are not in it.
    """
    conditions = filters.conditions()
    with audit.recorded(ctx, "audit.export") as rec:
        rec.entry.detail = {"filters": filters.to_dict(), "format": "csv"}
        require_permission(ctx.principal, PERMISSION)
        last = rec.session.scalar(select(func.max(AuditRow.seq))) or 0
        rec.entry.detail["rows"] = rec.session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.seq <= last, *conditions)
        )
    return _chunks(ctx.trail.engine, conditions, last)


def _chunks(engine: Engine, conditions: list[ColumnElement[bool]], last: int) -> Iterator[str]:
    yield csv_text([CSV_FIELDS])
    after = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(*COLUMNS)
                .where(AuditRow.seq > after, AuditRow.seq <= last, *conditions)
                .order_by(AuditRow.seq)
                .limit(EXPORT_BATCH)
            ).all()
        if not rows:
            return
        yield csv_text(
            [[cell(v) for v in record_out(r).values()] for r in rows],
        )
        after = rows[-1].seq


def cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return audit.canonical(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def verify_chain(ctx: audit.Context) -> chain.Report:
    """Walk the whole chain, checking checkpoints with the platform key; audited."""
    check_audited(ctx, PERMISSION, "audit.verify")
    signer = ctx.trail.signer
    keys = {signer.key_id: signer.public} if signer is not None else None
    report = chain.verify(ctx.trail.engine, keys)
    broken = report.first_break
    detail: dict[str, Any] = {
        "intact": report.intact,
        "records": report.records,
        "checkpoints": report.checkpoints,
        "first_break": {"seq": broken.seq, "reason": broken.reason} if broken else None,
    }
    audit.record(ctx, audit.Entry("audit.verify", detail=detail))
    return report
