"""What training learns from in the platform: the reports analysts confirmed or corrected.

The newest label of each report counts (an analyst may change their mind); the report's own
text is what was labelled.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from qalxan.intake.classify import Example
from qalxan.intake.tables import LabelRow, ReportRow
from qalxan.store.engine import session_factory


def confirmed_examples(engine: Engine) -> list[Example]:
    newest = (
        select(LabelRow.report_id, func.max(LabelRow.id).label("label_id"))
        .group_by(LabelRow.report_id)
        .subquery()
    )
    query = (
        select(ReportRow.id, ReportRow.title, ReportRow.narrative, LabelRow.event_type)
        .join(newest, newest.c.report_id == ReportRow.id)
        .join(LabelRow, LabelRow.id == newest.c.label_id)
        .order_by(ReportRow.id)
    )
    with session_factory(engine)() as session:
        return [
            Example(f"{title}. {text}" if title else text, event_type, key=report_id)
            for report_id, title, text, event_type in session.execute(query)
        ]
