"""The one policy: ``decide`` (one record) and ``visible`` (SQL) agree everywhere; write rules.

The agreement test builds every combination of role x caller agency x clearance x inquiry grant
as callers, and every combination of classification x TLP x share state as records, then checks
for each caller that the records SQL returns are exactly those ``decide`` allows, with facts
written down from how the records were set up (not read back through the policy).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from qalxan.access import policy
from qalxan.access.identity import principal_of
from qalxan.access.markings import scheme
from qalxan.access.policy import Facts, Hidden, decide, visible
from qalxan.access.principal import Principal
from qalxan.access.roles import catalogue
from qalxan.access.tables import GrantRow, ShareRow, UserRow
from qalxan.bulletins.tables import BulletinRow
from qalxan.errors import Forbidden
from qalxan.store.engine import transaction

OWNER, SHARED, OTHER = "agency-mia", "agency-sbs", "agency-mes"
ROLES = sorted(catalogue().roles)
CLEARANCES = [c.rank for c in scheme().classifications]
TLPS: list[str | None] = [None, *(t.code for t in scheme().tlp)]
SHARE_STATES = ("none", "agency", "user")
GRANT_STATES = ("none", "record", "agency")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def test_the_combinations_are_complete() -> None:
    assert len(ROLES) == 10 and len(CLEARANCES) == 5 and len(TLPS) == 6


@dataclass(frozen=True)
class Record:
    id: str
    index: int
    classification: int
    tlp: str | None
    share: str


@dataclass
class World:
    callers: list[tuple[Principal, str]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    named: frozenset[str] = frozenset()


def facts(world: World, principal: Principal, grant: str, record: Record) -> Facts:
    """What the setup says about ``record``, from the point of view of ``principal``."""
    return Facts(
        record_type="bulletin",
        owner_agency=OWNER,
        classification=record.classification,
        tlp=record.tlp,
        shared_agencies=frozenset({SHARED}) if record.share == "agency" else frozenset(),
        shared_users=world.named if record.share == "user" else frozenset(),
        granted=grant == "agency" or (grant == "record" and record.index % 2 == 0),
    )


def build(session: Session) -> World:
    """Write the callers' accounts, the records, their shares and the grants (in bulk)."""
    world = World()
    users: list[dict[str, object]] = []
    callers = product(ROLES, (OWNER, SHARED, OTHER), CLEARANCES, GRANT_STATES)
    for n, (role, agency, clearance, grant) in enumerate(callers):
        values: dict[str, object] = {
            "id": f"u{n:05d}",
            "username": f"user{n:05d}",
            "display_name": grant,
            "agency_id": agency,
            "roles": [role],
            "clearance": clearance,
            "created_by": "test",
        }
        users.append(values)
        world.callers.append((principal_of(UserRow(**values), "session"), grant))
    # Named shares go to every user of the shared-to agency; the others are never named.
    world.named = frozenset(u.user_id or "" for u, _ in world.callers if u.agency_id == SHARED)
    records = product(CLEARANCES, TLPS, SHARE_STATES)
    for index, (classification, tlp, share) in enumerate(records):
        world.records.append(Record(f"b{index:04d}", index, classification, tlp, share))
    bulletins = [
        {
            "id": r.id,
            "owner_agency": OWNER,
            "classification": r.classification,
            "tlp": r.tlp,
            "title": f"record {r.index}",
            "body": "-",
            "author_id": "test",
        }
        for r in world.records
    ]
    session.execute(insert(UserRow), users)
    session.execute(insert(BulletinRow), bulletins)
    session.execute(insert(ShareRow), [s for r in world.records for s in shares(world, r)])
    session.execute(
        insert(GrantRow), [g for p, grant in world.callers for g in grants(world, p, grant)]
    )
    return world


def shares(world: World, record: Record) -> Iterator[dict[str, object]]:
    def row(
        agency: str | None = None, user: str | None = None, revoked: bool = False
    ) -> dict[str, object]:
        return {
            "record_type": "bulletin",
            "record_id": record.id,
            "agency_id": agency,
            "user_id": user,
            "reason": "test",
            "granted_by": "test",
            "revoked_at": LONG_AGO if revoked else None,
        }

    # Revoked shares of the other kinds lie beside the live ones: they must count for nothing.
    yield row(agency=SHARED, revoked=record.share != "agency")
    for user_id in sorted(world.named):
        yield row(user=user_id, revoked=record.share != "user")
    yield row(agency=OTHER, revoked=True)


def grants(world: World, principal: Principal, grant: str) -> Iterator[dict[str, object]]:
    live = datetime.now(UTC) + timedelta(days=30)

    def row(n: int, **target: object) -> dict[str, object]:
        return {
            "id": f"{principal.user_id}g{n}",
            "user_id": principal.user_id,
            "record_type": "bulletin",
            "record_id": None,
            "agency_id": None,
            "inquiry": "test",
            "granted_by": "test",
            "expires_at": live,
            "revoked_at": None,
            **target,
        }

    # Grants that must not count: expired, revoked, of another record type, another agency.
    yield row(0, agency_id=OWNER, expires_at=LONG_AGO)
    yield row(1, agency_id=OWNER, revoked_at=LONG_AGO)
    yield row(2, agency_id=OWNER, record_type="complaint")
    yield row(3, agency_id=OTHER)
    if grant == "agency":
        yield row(4, agency_id=OWNER)
    if grant == "record":
        for record in world.records:
            covered = record.index % 2 == 0
            yield row(
                10 + record.index, record_id=record.id, expires_at=live if covered else LONG_AGO
            )


def test_decide_and_visible_agree_on_every_combination(engine: Engine) -> None:
    with transaction(engine) as session:
        world = build(session)
    reasons: set[str] = set()
    with transaction(engine) as session:
        for principal, grant in world.callers:
            query = select(BulletinRow.id).where(visible(principal, BulletinRow))
            found = set(session.scalars(query))
            expected = set()
            for record in world.records:
                decision = decide(principal, "read", facts(world, principal, grant, record))
                if decision.allowed:
                    expected.add(record.id)
                    reasons.add(decision.reason)
            assert found == expected, (principal, grant, sorted(found ^ expected))
        # Every way into a record was taken (the test would pass vacuously otherwise).
        by_agency, by_name = "shared to the caller's agency", "shared to the caller by name"
        assert reasons == {
            "owning agency",
            "inquiry grant",
            "TLP:CLEAR reaches every agency",
            "TLP:GREEN reaches every agency",
            f"TLP:AMBER, {by_agency}",
            f"TLP:AMBER+STRICT, {by_agency}",
            f"TLP:AMBER, {by_name}",
            f"TLP:AMBER+STRICT, {by_name}",
            f"TLP:RED, {by_name}",
        }
        # facts_of reads back what the setup wrote, for callers of every grant state.
        sample = [(p, g) for p, g in world.callers if p.agency_id == SHARED and p.clearance == 4]
        rows = {r.id: r for r in session.scalars(select(BulletinRow))}
        for principal, grant in sample:
            if principal.roles[0] not in ("oversight", "analyst"):
                continue
            for record in world.records:
                written = facts(world, principal, grant, record)
                if not principal.has("inquiry:read"):
                    written = replace(written, granted=False)
                assert policy.facts_of(session, principal, rows[record.id]) == written


def caller(role: str, agency: str = OWNER, clearance: int = 3, user: str = "u1") -> Principal:
    return Principal(user, user, agency, None, (role,), clearance, "session")


def amber(shared: frozenset[str] = frozenset({SHARED}), classification: int = 1) -> Facts:
    return Facts("bulletin", OWNER, classification, "AMBER", shared_agencies=shared)


def test_only_the_owning_agency_changes_a_record() -> None:
    for action in ("update", "share"):
        assert decide(caller("analyst"), action, amber()).allowed
        visible_not_theirs = decide(caller("analyst", SHARED), action, amber())
        assert not visible_not_theirs.allowed and not visible_not_theirs.hidden
        assert "owning agency" in visible_not_theirs.reason
        out_of_reach = decide(caller("analyst", OTHER), action, amber())
        assert not out_of_reach.allowed and out_of_reach.hidden
        too_secret = decide(caller("analyst", clearance=0), action, amber())
        assert not too_secret.allowed and too_secret.hidden
    # Roles without the permission learn nothing about the record: never "hidden".
    for facts_ in (amber(), amber(frozenset()), amber(classification=4)):
        refused = decide(caller("reporter", OTHER, 0), "update", facts_)
        assert not refused.allowed and not refused.hidden
    assert not decide(caller("cert_analyst"), "update", amber()).allowed
    assert decide(caller("cert_analyst"), "share", amber()).allowed


def test_an_inquiry_grant_opens_reading_only() -> None:
    granted = replace(amber(frozenset()), granted=True)
    overseer = caller("oversight", OTHER)
    assert decide(overseer, "read", granted).reason == "inquiry grant"
    assert not decide(overseer, "read", amber(frozenset())).allowed
    assert not decide(overseer, "update", granted).allowed
    # A grant made to someone without inquiry:read is worth nothing.
    assert not decide(caller("analyst", OTHER), "read", granted).allowed


def test_an_api_key_narrows_the_roles() -> None:
    narrowed = Principal(
        "u1", "u1", OWNER, None, ("analyst",), 3, "api_key", scopes=frozenset({"bulletin:read"})
    )
    assert decide(narrowed, "read", amber()).allowed
    assert not decide(narrowed, "update", amber()).allowed


def test_load_tells_hidden_from_forbidden(engine: Engine) -> None:
    with transaction(engine) as session:
        session.add(
            BulletinRow(
                id="b1",
                owner_agency=OWNER,
                classification=1,
                tlp="GREEN",
                title="t",
                body="b",
                author_id="a",
            )
        )
        session.add(
            BulletinRow(
                id="b2",
                owner_agency=OWNER,
                classification=1,
                tlp=None,
                title="t",
                body="b",
                author_id="a",
            )
        )
    with transaction(engine) as session:
        assert policy.load(session, caller("analyst"), BulletinRow, "b1", "update").id == "b1"
        with pytest.raises(Forbidden, match="owning agency"):
            policy.load(session, caller("analyst", SHARED), BulletinRow, "b1", "update")
        with pytest.raises(Hidden) as hidden:
            policy.load(session, caller("analyst", SHARED), BulletinRow, "b2", "update")
        with pytest.raises(Hidden) as missing:
            policy.load(session, caller("analyst", SHARED), BulletinRow, "b3", "update")
        assert hidden.value.message.replace("b2", "b3") == missing.value.message
        assert hidden.value.audit_reason != missing.value.audit_reason
        with pytest.raises(Forbidden, match="roles"):
            policy.load(session, caller("reporter", SHARED), BulletinRow, "b2", "update")
