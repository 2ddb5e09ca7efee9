"""What a :class:`~qalxan.intake.store.Writer` has added, taken out of it to be written in one
transaction: new incidents before the reports that join them, the changes of the incidents it
read back, every other row, and what all of it changes in the picture's rollups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from qalxan.access.tables import ShareRow
from qalxan.intake import encoded
from qalxan.intake.tables import (
    FeedRow,
    IncidentEventRow,
    IncidentRow,
    MembershipRow,
    ReportRow,
    RoutingRow,
)
from qalxan.picture import rollup
from qalxan.store.rows import insert_rows

# The tables of the rows a writer adds, in the order they are written.
ROWS = (ReportRow, MembershipRow, IncidentEventRow, RoutingRow, ShareRow, FeedRow)


@dataclass(frozen=True)
class Batch:
    """Rows a writer took, to be written in one transaction (in the order of ``ROWS``, after
    the new incidents they name)."""

    new: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    rows: dict[type[Any], list[dict[str, Any]]]
    counts: list[rollup.Change]

    def write(self, session: Session) -> None:
        if self.new:
            insert_rows(session, table_of(IncidentRow), self.new, typed=True)
        if self.changed:
            session.execute(update(IncidentRow), self.changed)
        for model in ROWS:
            insert_rows(session, table_of(model), self.rows[model], typed=True)
        rollup.apply(session, self.counts)


def table_of(model: type[Any]) -> Table:
    """The table of an ORM model (typed as one: the bulk paths write through the driver)."""
    table: Table = model.__table__
    return table


def changes(row: dict[str, Any]) -> dict[str, Any]:
    """The values an update of an incident read back sets (its row as the writer holds it)."""
    keys = [
        "id",
        "first_observed",
        "last_observed",
        "report_count",
        "killed",
        "injured",
        "classification",
        "lat",
        "lon",
        "admin1",
        "country",
        "place_text",
        "location_precision",
        "fingerprint",
        "severity",
        "severity_reasons",
        "updated_at",
    ]
    found = {k: row[k] for k in keys}
    # Encoded for the insert of a new incident; this update goes through SQLAlchemy.
    found["severity_reasons"] = encoded.decoded(found["severity_reasons"])
    return found
