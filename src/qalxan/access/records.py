"""The protected record types the platform stores, by name: an explicit registry.

Complaints look up the record they contest here, and retention purges by it. This is the one
place where :mod:`qalxan.access` names the tables of the capabilities built on it; each new
capability adds its record model here (a test checks every ``record_type`` of roles.yaml that
has a table is listed).
"""

from __future__ import annotations

from qalxan.access.tables import ComplaintRow, Protected
from qalxan.alerts.tables import AlertRow
from qalxan.bulletins.tables import BulletinRow
from qalxan.cases.tables import CaseRow
from qalxan.cti.tables import CtiObjectRow
from qalxan.intake.tables import IncidentRow, ReportRow
from qalxan.picture.tables import NarrativeRow, RiskRow, WarningRow
from qalxan.screening.tables import HitRow

MODELS: dict[str, type[Protected]] = {
    "bulletin": BulletinRow,
    "complaint": ComplaintRow,
    "report": ReportRow,
    "incident": IncidentRow,
    "case": CaseRow,
    # A contested screening match is the hit the officer saw.
    "screening": HitRow,
    # Every stored version of a STIX object is a record of its own.
    "cti": CtiObjectRow,
    "alert": AlertRow,
}


# Record types whose records live in several tables: the picture's assessments are the risk
# register, the early warnings and the narratives of the National Threat Assessment.
FAMILIES: dict[str, tuple[type[Protected], ...]] = {
    "assessment": (RiskRow, WarningRow, NarrativeRow),
}


def models_of(record_type: str) -> tuple[type[Protected], ...]:
    """Every table holding records of ``record_type`` (none for an unknown type)."""
    single = MODELS.get(record_type)
    return (single,) if single is not None else FAMILIES.get(record_type, ())
