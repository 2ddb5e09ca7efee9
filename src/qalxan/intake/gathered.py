"""The rows a :class:`~qalxan.intake.store.Writer` adds besides the incidents themselves: the
reports, their memberships, the incidents' events, routing and shares, and the live feed, all
stamped with the time of the chunk they belong to, until the writer takes them to be written
(see :class:`~qalxan.intake.batch.Batch`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from qalxan.access.tables import ShareRow
from qalxan.intake import encoded, routed
from qalxan.intake.batch import ROWS
from qalxan.intake.tables import FeedRow, IncidentEventRow, MembershipRow, ReportRow, RoutingRow
from qalxan.store.rows import Json

Rows = dict[type[Any], list[dict[str, Any]]]


class Gathered:
    """Rows gathered for the next write, in the order of :data:`~qalxan.intake.batch.ROWS`."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rows: Rows = {model: [] for model in ROWS}
        self._dues: dict[int, datetime] = {}

    def restart(self, now: datetime) -> None:
        """Stamp the rows gathered from now on with ``now`` (the next chunk of an import)."""
        self.now = now
        self._dues.clear()

    def take(self) -> Rows:
        """The rows gathered so far, taken out (the next ones start afresh)."""
        rows, self.rows = self.rows, {model: [] for model in self.rows}
        return rows

    def report(self, row: dict[str, Any]) -> None:
        self.rows[ReportRow].append(row)

    def routing(self, incident_id: str, step: routed.Step, actor: str) -> None:
        self.rows[RoutingRow].append(
            {
                "incident_id": incident_id,
                "agency_id": step.agency_id,
                "role": step.role,
                "reasons": step.reasons,
                "routed_at": self.now,
                "ack_due": self._due(step.minutes),
                "acknowledged_at": self.now if step.reporting else None,
                "acknowledged_by": actor if step.reporting else None,
                "escalation_level": 0,
            }
        )
        if step.share is not None:
            self.share("incident", incident_id, step.agency_id, step.share)

    def share(self, record_type: str, record_id: str, agency_id: str, why: str) -> None:
        self.rows[ShareRow].append(
            {
                "record_type": record_type,
                "record_id": record_id,
                "agency_id": agency_id,
                "user_id": None,
                "reason": why,
                "granted_by": "qalxan:routing",
                "granted_at": self.now,
            }
        )

    def member(
        self, report_id: str, incident_id: str, reason: dict[str, Any] | Json, actor: str
    ) -> None:
        self.rows[MembershipRow].append(
            {
                "report_id": report_id,
                "incident_id": incident_id,
                "reason": _stored(reason),
                "joined_by": actor,
                "joined_at": self.now,
            }
        )

    def event(self, incident_id: str, kind: str, detail: dict[str, Any] | Json, actor: str) -> None:
        self.rows[IncidentEventRow].append(
            {
                "incident_id": incident_id,
                "kind": kind,
                "detail": _stored(detail),
                "actor": actor,
                "at": self.now,
            }
        )

    def feed(self, kind: str, incident: dict[str, Any]) -> None:
        """What open dashboards are told of an incident created or changed."""
        self.rows[FeedRow].append(
            {
                "at": self.now,
                "kind": kind,
                "record_type": "incident",
                "record_id": incident["id"],
                "summary": encoded.encoded(
                    {
                        "title": incident["title"],
                        "event_type": incident["event_type"],
                        "severity": incident["severity"],
                        "admin1": incident["admin1"],
                        "reports": incident["report_count"],
                    }
                ),
            }
        )

    def _due(self, minutes: int | None) -> datetime | None:
        """When an acknowledgement is due (the same few moments for a whole chunk)."""
        if minutes is None:
            return None
        due = self._dues.get(minutes)
        if due is None:
            due = self._dues[minutes] = self.now + timedelta(minutes=minutes)
        return due


def _stored(value: dict[str, Any] | Json) -> Json:
    """A JSON value as stored (the common ones, such as a new incident's reason, come encoded)."""
    return value if type(value) is Json else encoded.encoded(value)
