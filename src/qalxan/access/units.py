"""Units inside agencies, created by administrators (agencies themselves come from the doctrine)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access import audit
from qalxan.access.principal import Principal
from qalxan.access.tables import UnitRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound
from qalxan.store.ids import new_id

# Unit functions the platform acts on; e.g. complaints about an officer's conduct are routed to
# the unit of their agency with the internal_investigations function.
FUNCTIONS = frozenset({"internal_investigations", "duty_centre", "cert", "fiu", "border_crossing"})


def check_manage(principal: Principal, agency_id: str) -> None:
    """Whether the caller administers accounts and units of ``agency_id``."""
    if principal.has("users:manage-any"):
        return
    if principal.has("users:manage") and principal.agency_id == agency_id:
        return
    raise Forbidden("you do not administer this agency's accounts and units")


def check_agency(
    doctrine: Doctrine,
    agency_id: str,
    field: str = "agency_id",
    kinds: tuple[str, ...] = ("agency",),
) -> None:
    """``agency_id`` names a doctrine item of one of ``kinds`` (an agency, unless a partner
    organisation may stand in its place)."""
    for kind in kinds:
        try:
            doctrine.get(agency_id, kind=kind)
            return
        except NotFound:
            continue
    what = "agency" if kinds == ("agency",) else "agency or partner organisation"
    raise InvalidInput(f"{field}: no {what} has the id {agency_id!r}", field=field)


def create(
    ctx: audit.Context,
    doctrine: Doctrine,
    agency_id: str,
    name: str,
    name_az: str | None = None,
    parent_id: str | None = None,
    functions: list[str] | None = None,
) -> UnitRow:
    check_agency(doctrine, agency_id)
    name = name.strip()
    if not name:
        raise InvalidInput("name: must not be empty", field="name")
    unknown = sorted(set(functions or []) - FUNCTIONS)
    if unknown:
        raise InvalidInput(
            f"functions: unknown function {unknown[0]!r} (one of {', '.join(sorted(FUNCTIONS))})",
            field="functions",
        )
    with audit.recorded(ctx, "unit.create", "unit") as rec:
        rec.entry.record_agency = agency_id
        check_manage(ctx.principal, agency_id)
        session = rec.session
        if parent_id is not None:
            parent = session.get(UnitRow, parent_id)
            if parent is None or parent.agency_id != agency_id:
                raise InvalidInput(
                    f"parent_id: no unit of this agency has the id {parent_id!r}",
                    field="parent_id",
                )
        taken = session.scalar(
            select(UnitRow.id).where(UnitRow.agency_id == agency_id, UnitRow.name == name)
        )
        if taken is not None:
            raise Conflict(f"name: the agency already has a unit named {name!r}", field="name")
        unit = UnitRow(
            id=new_id(),
            agency_id=agency_id,
            name=name,
            name_az=name_az,
            parent_id=parent_id,
            functions=sorted(set(functions or [])),
            created_by=ctx.principal.username,
        )
        session.add(unit)
        rec.entry.record_id = unit.id
        rec.entry.detail = {"name": name, "functions": unit.functions}
    return unit


def get(session: Session, unit_id: str) -> UnitRow:
    unit = session.get(UnitRow, unit_id)
    if unit is None:
        raise NotFound(f"no unit has the id {unit_id!r}", field="unit_id")
    return unit


def listing(session: Session, agency_id: str | None = None) -> list[UnitRow]:
    query = select(UnitRow).order_by(UnitRow.agency_id, UnitRow.name)
    if agency_id is not None:
        query = query.where(UnitRow.agency_id == agency_id)
    return list(session.scalars(query))


def with_function(session: Session, agency_id: str, function: str) -> UnitRow | None:
    for unit in listing(session, agency_id):
        if function in unit.functions and not unit.disabled:
            return unit
    return None
