"""Lawful lists: the bundled international lists, and national lists declared by an agency."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.sessions import aware
from qalxan.access.tables import AuditRow
from qalxan.errors import Conflict, Forbidden, InvalidInput
from qalxan.screening import lists
from qalxan.screening.lists import ListSpec
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import make_person

SBS = "agency-sbs"
NATIONAL = ListSpec(
    code="az-national",
    title="National list of persons barred from entry (synthetic)",
    authority="State Border Service",
    legal_basis="A national law naming the list (synthetic basis for the test).",
    uses=("border",),
)


def officer(engine: Engine, settings: Settings, role: str = "screening_officer") -> Context:
    person = make_person(engine, settings, f"{role}-1", SBS, [role], with_key=False)
    return person.ctx(engine, settings)


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == action)))


def test_bundled_lists_are_declared_once(engine: Engine) -> None:
    # Bootstrap has declared them already: declaring again changes nothing.
    assert lists.ensure_bundled(engine) == []
    rows = {row.code: row for row in lists.all_lists(engine)}
    assert set(rows) == {"un-sc", "ofac-sdn", "ofac-cons"}
    assert rows["un-sc"].uses == ["border", "customs", "fiu"]
    assert "Chapter VII" in rows["un-sc"].legal_basis and "1267" in rows["un-sc"].legal_basis
    # OFAC lists are US lists: reference lists for the FIU's correspondent-banking checks only.
    for code in ("ofac-sdn", "ofac-cons"):
        assert rows[code].uses == ["fiu"] and rows[code].owner_agency is None
        assert "correspondent-banking" in rows[code].legal_basis
    assert lists.lists_for(engine, "border") == ["un-sc"]
    assert lists.lists_for(engine, "fiu") == ["ofac-cons", "ofac-sdn", "un-sc"]


def test_an_agency_declares_a_national_list(engine: Engine, settings: Settings) -> None:
    ctx = officer(engine, settings)
    row = lists.declare(ctx, NATIONAL)
    assert row.owner_agency == SBS and row.uses == ["border"]
    stored = lists.get(engine, "az-national")
    assert stored is not None and stored.legal_basis == NATIONAL.legal_basis
    # Declaring the same list again changes nothing; another list under its code conflicts.
    assert aware(lists.declare(ctx, NATIONAL).declared_at) == aware(row.declared_at)
    with pytest.raises(Conflict):
        lists.declare(ctx, ListSpec(**{**NATIONAL.__dict__, "title": "Another list"}))
    outcomes = [
        (a.outcome, a.detail.get("declared")) for a in audits(engine, "screening_list.create")
    ]
    assert outcomes == [("success", True), ("success", False), ("invalid", None)]


def test_every_use_by_default(engine: Engine, settings: Settings) -> None:
    spec = ListSpec("az-customs", "Customs list", "State Customs Committee", "A law.")
    assert lists.declare(officer(engine, settings), spec).uses == ["border", "customs", "fiu"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"legal_basis": "   "}, "legal_basis"),
        ({"title": ""}, "title"),
        ({"authority": ""}, "authority"),
        ({"code": "AZ National"}, "code"),
        ({"uses": ("border", "harbour")}, "uses"),
    ],
)
def test_declaring_refuses_bad_lists(
    engine: Engine, settings: Settings, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        lists.declare(officer(engine, settings), ListSpec(**{**NATIONAL.__dict__, **change}))
    assert caught.value.field == field
    assert lists.get(engine, str(change.get("code", NATIONAL.code))) is None
    [attempt] = audits(engine, "screening_list.create")
    assert attempt.outcome == "invalid"


def test_declaring_needs_screening_create(engine: Engine, settings: Settings) -> None:
    with pytest.raises(Forbidden):
        lists.declare(officer(engine, settings, "analyst"), NATIONAL)
    assert [a.outcome for a in audits(engine, "screening_list.create")] == ["denied"]


def test_uses_are_checked(engine: Engine) -> None:
    assert lists.check_use("customs") == "customs"
    with pytest.raises(InvalidInput) as caught:
        lists.check_use("harbour")
    assert caught.value.field == "use"
