"""Sharing records: who may share, what each TLP marking allows, revocation, the audit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from qalxan.access import sharing
from qalxan.access.audit import Context
from qalxan.access.policy import Hidden
from qalxan.access.tables import AuditRow, ShareRow
from qalxan.bulletins import service
from qalxan.bulletins.service import Changes, Draft
from qalxan.bulletins.tables import BulletinRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound, QalxanError
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import make_person

MIA, SBS, MES = "agency-mia", "agency-sbs", "agency-mes"


@dataclass
class Cast:
    owner: Context
    reporter: Context
    border: Context
    border_colleague: Context
    emergency: Context
    admin: Context

    @property
    def border_user(self) -> str:
        return self.border.principal.user_id or ""


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    def ctx(name: str, agency: str, role: str) -> Context:
        person = make_person(engine, settings, name, agency, [role], "secret", with_key=False)
        return person.ctx(engine, settings)

    return Cast(
        owner=ctx("owner", MIA, "analyst"),
        reporter=ctx("reporter", MIA, "reporter"),
        border=ctx("border", SBS, "analyst"),
        border_colleague=ctx("colleague", SBS, "analyst"),
        emergency=ctx("emergency", MES, "emergency_manager"),
        admin=ctx("admin", MIA, "agency_admin"),
    )


def bulletin(ctx: Context, tlp: str | None) -> BulletinRow:
    return service.create(ctx, Draft("Lookout", "A white van.", "restricted", tlp))


def can_read(ctx: Context, row: BulletinRow) -> bool:
    try:
        service.get(ctx, row.id)
    except Hidden:
        return False
    return True


def share(ctx: Context, doctrine: Doctrine, row: BulletinRow, **targets: list[str]) -> list[int]:
    made = sharing.share(ctx, doctrine, BulletinRow, row.id, reason="joint operation", **targets)
    return [s.id for s in made]


def test_amber_goes_to_agencies_and_revocation_ends_it(
    cast: Cast, doctrine: Doctrine, engine: Engine
) -> None:
    row = bulletin(cast.owner, "AMBER")
    assert not can_read(cast.border, row)
    (share_id,) = share(cast.owner, doctrine, row, agency_ids=[SBS])
    assert can_read(cast.border, row) and can_read(cast.border_colleague, row)
    assert not can_read(cast.emergency, row)
    assert share(cast.owner, doctrine, row, agency_ids=[SBS, " "]) == [share_id]
    assert [s.id for s in sharing.shares_of(cast.owner, BulletinRow, row.id)] == [share_id]

    ended = sharing.revoke(cast.owner, BulletinRow, row.id, share_id)
    assert ended.revoked_at is not None
    assert not can_read(cast.border, row)
    assert sharing.shares_of(cast.owner, BulletinRow, row.id) == []
    with transaction(engine) as session:
        kept = session.get(ShareRow, share_id)
        assert kept is not None and kept.revoked_at is not None and kept.reason
    sharing.revoke(cast.owner, BulletinRow, row.id, share_id)

    with transaction(engine) as session:
        entries = session.scalars(
            select(AuditRow)
            .where(AuditRow.action.in_(["bulletin.share", "bulletin.unshare"]))
            .order_by(AuditRow.seq)
        ).all()
    assert [(a.action, a.outcome, a.record_agency) for a in entries] == [
        ("bulletin.share", "success", MIA),
        ("bulletin.share", "success", MIA),
        ("bulletin.unshare", "success", MIA),
        ("bulletin.unshare", "success", MIA),
    ]
    assert entries[0].detail["agency_ids"] == [SBS]
    assert entries[0].detail["share_ids"] == [share_id]
    assert entries[2].detail["agency_id"] == SBS


def test_amber_strict_and_named_users(cast: Cast, doctrine: Doctrine) -> None:
    strict = bulletin(cast.owner, "AMBER+STRICT")
    share(cast.owner, doctrine, strict, agency_ids=[MES])
    assert can_read(cast.emergency, strict) and not can_read(cast.border, strict)
    named = bulletin(cast.owner, "amber")
    share(cast.owner, doctrine, named, user_ids=[cast.border_user])
    assert can_read(cast.border, named) and not can_read(cast.border_colleague, named)


def test_red_goes_to_named_users_only(cast: Cast, doctrine: Doctrine, engine: Engine) -> None:
    row = bulletin(cast.owner, "RED")
    with pytest.raises(InvalidInput) as caught:
        share(cast.owner, doctrine, row, agency_ids=[SBS])
    assert caught.value.field == "agency_ids"
    with pytest.raises(InvalidInput):
        share(cast.owner, doctrine, row, agency_ids=[SBS], user_ids=[cast.border_user])
    share(cast.owner, doctrine, row, user_ids=[cast.border_user])
    assert can_read(cast.border, row) and not can_read(cast.border_colleague, row)
    # Marked down to AMBER, a named share still reaches its user only.
    service.update(cast.owner, row.id, Changes(tlp="AMBER"))
    assert can_read(cast.border, row) and not can_read(cast.border_colleague, row)
    # Without a marking, no share reaches anyone outside the owning agency.
    service.update(cast.owner, row.id, Changes(tlp=None))
    assert not can_read(cast.border, row)


def test_refusals_name_the_field(cast: Cast, doctrine: Doctrine, engine: Engine) -> None:
    unmarked, green, clear = (bulletin(cast.owner, t) for t in (None, "GREEN", "CLEAR"))
    amber = bulletin(cast.owner, "AMBER")
    cases: list[tuple[BulletinRow, dict[str, list[str]], type[QalxanError], str]] = [
        (unmarked, {"agency_ids": [SBS]}, Conflict, "tlp"),
        (green, {"agency_ids": [SBS]}, InvalidInput, "tlp"),
        (clear, {"user_ids": [cast.border_user]}, InvalidInput, "tlp"),
        (amber, {}, InvalidInput, "agency_ids"),
        (amber, {"agency_ids": ["agency-atlantis"]}, InvalidInput, "agency_ids"),
        (amber, {"agency_ids": ["threat-3-4"]}, InvalidInput, "agency_ids"),
        (amber, {"agency_ids": [MIA]}, InvalidInput, "agency_ids"),
        (amber, {"user_ids": ["nobody"]}, InvalidInput, "user_ids"),
        (amber, {"agency_ids": [f"a{i}" for i in range(51)]}, InvalidInput, "agency_ids"),
    ]
    for row, targets, error, field in cases:
        with pytest.raises(error) as caught:
            share(cast.owner, doctrine, row, **targets)
        assert caught.value.field == field, (targets, caught.value)
        assert caught.value.message.startswith(f"{field}: ")
    with pytest.raises(InvalidInput) as empty:
        sharing.share(cast.owner, doctrine, BulletinRow, amber.id, agency_ids=[SBS], reason=" ")
    assert empty.value.field == "reason"
    with pytest.raises(InvalidInput, match="already reaches every agency"):
        share(cast.owner, doctrine, green, agency_ids=[SBS])
    with transaction(engine) as session:
        assert session.scalars(select(ShareRow)).all() == []
        outcomes = session.scalars(
            select(AuditRow.outcome).where(AuditRow.action == "bulletin.share")
        ).all()
    assert set(outcomes) == {"invalid"} and len(outcomes) == len(cases) + 2


def test_only_the_owning_agency_shares(cast: Cast, doctrine: Doctrine, engine: Engine) -> None:
    green, amber = bulletin(cast.owner, "GREEN"), bulletin(cast.owner, "AMBER")
    with pytest.raises(Forbidden, match="owning agency"):
        share(cast.border, doctrine, green, agency_ids=[MES])
    with pytest.raises(Hidden):
        share(cast.border, doctrine, amber, agency_ids=[MES])
    with pytest.raises(Forbidden, match="roles"):
        share(cast.reporter, doctrine, amber, agency_ids=[SBS])
    with pytest.raises(Forbidden, match="roles"):
        share(cast.admin, doctrine, amber, agency_ids=[SBS])
    (share_id,) = share(cast.owner, doctrine, amber, agency_ids=[SBS])
    # A recipient sees the bulletin but neither who else has it nor how to take it back.
    with pytest.raises(Forbidden):
        sharing.shares_of(cast.border, BulletinRow, amber.id)
    with pytest.raises(Forbidden):
        sharing.revoke(cast.border, BulletinRow, amber.id, share_id)
    with pytest.raises(Hidden):
        sharing.revoke(cast.emergency, BulletinRow, amber.id, share_id)
    with transaction(engine) as session:
        denied = session.scalars(
            select(AuditRow).where(AuditRow.outcome == "denied", AuditRow.action.like("%share%"))
        ).all()
    assert len(denied) == 7


def test_revoking_an_unknown_share_is_a_clear_404(cast: Cast, doctrine: Doctrine) -> None:
    one, other = bulletin(cast.owner, "AMBER"), bulletin(cast.owner, "AMBER")
    (share_id,) = share(cast.owner, doctrine, other, agency_ids=[SBS])
    for bad in (share_id, 999_999):
        with pytest.raises(NotFound) as caught:
            sharing.revoke(cast.owner, BulletinRow, one.id, bad)
        assert caught.value.field == "share_id" and not isinstance(caught.value, Hidden)
    assert can_read(cast.border, other)
