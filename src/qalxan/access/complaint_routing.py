"""Where a complaint goes: the agency (and unit) that must answer it, and why.

A contested record or screening match goes to the agency that owns the record: looked up when
the record is in the platform, otherwise the agency the filer names. A complaint about an
officer's conduct goes to the officer's agency, to its internal investigations unit; an agency
without one gets the complaint as a whole, and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from qalxan.access import records, units
from qalxan.access.complaint_rules import Kind
from qalxan.access.roles import catalogue
from qalxan.access.tables import UserRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput

INTERNAL_INVESTIGATIONS = "internal_investigations"


@dataclass(frozen=True)
class Subject:
    """What a complaint is about, as the filer gives it."""

    subject_type: str | None = None
    subject_id: str | None = None
    officer_id: str | None = None
    agency_id: str | None = None


@dataclass(frozen=True)
class Routing:
    agency: str
    unit: str | None
    rule: str
    warning: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "agency": self.agency,
            "unit": self.unit,
            "rule": self.rule,
            "warning": self.warning,
        }


def route(session: Session, doctrine: Doctrine, kind: Kind, subject: Subject) -> Routing:
    if kind.routing == "internal_investigations":
        return _to_internal_investigations(session, doctrine, subject)
    return _to_record_owner(session, doctrine, subject)


def _to_record_owner(session: Session, doctrine: Doctrine, subject: Subject) -> Routing:
    if subject.subject_type is not None:
        if subject.subject_type not in catalogue().record_types:
            known = ", ".join(catalogue().record_types)
            raise InvalidInput(
                f"subject_type: unknown record type {subject.subject_type!r} (one of {known})",
                field="subject_type",
            )
        row = None
        for model in records.models_of(subject.subject_type) if subject.subject_id else ():
            row = session.get(model, subject.subject_id)
            if row is not None:
                break
        if row is not None:
            # The record decides, whatever agency the filer named: it must reach its owner.
            return Routing(row.owner_agency, None, "the agency that owns the contested record")
    if subject.agency_id is None:
        raise InvalidInput(
            "agency_id: name the agency that holds the contested record", field="agency_id"
        )
    units.check_agency(doctrine, subject.agency_id)
    return Routing(
        subject.agency_id, None, "the agency named by the filer (the record is not in the platform)"
    )


def _to_internal_investigations(session: Session, doctrine: Doctrine, subject: Subject) -> Routing:
    agency, rule = subject.agency_id, "the agency named by the filer"
    if subject.officer_id is not None:
        officer = session.get(UserRow, subject.officer_id)
        if officer is not None:
            agency, rule = officer.agency_id, "the officer's agency"
        elif agency is None:
            raise InvalidInput(
                f"officer_id: no user has the id {subject.officer_id!r}; name the officer's "
                "agency in agency_id instead",
                field="officer_id",
            )
    if agency is None:
        raise InvalidInput(
            "agency_id: name the officer (officer_id) or the officer's agency", field="agency_id"
        )
    units.check_agency(doctrine, agency)
    unit = units.with_function(session, agency, INTERNAL_INVESTIGATIONS)
    if unit is None:
        return Routing(
            agency,
            None,
            rule,
            warning=f"{agency} has no unit with the {INTERNAL_INVESTIGATIONS} function; "
            "the complaint is routed to the agency as a whole",
        )
    return Routing(agency, unit.id, f"{rule}, its internal investigations unit ({unit.name})")
