"""Inquiry grants: made by platform administrators, honoured by the policy, ended on time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from qalxan.access import grants
from qalxan.access.audit import Context
from qalxan.access.policy import Hidden
from qalxan.access.sessions import aware
from qalxan.access.tables import AuditRow, GrantRow
from qalxan.bulletins import listing, service
from qalxan.bulletins.service import Draft
from qalxan.bulletins.tables import BulletinRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Forbidden, InvalidInput, NotFound
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web.app import create_app
from tests.people import Person, make_person

MIA, SBS = "agency-mia", "agency-sbs"


@dataclass
class Cast:
    admin: Person
    overseer: Person
    analyst: Person
    engine: Engine
    settings: Settings

    def ctx(self, person: Person) -> Context:
        return person.ctx(self.engine, self.settings)


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return Cast(
        admin=make_person(engine, settings, "admin", MIA, ["platform_admin"], "top_secret"),
        overseer=make_person(engine, settings, "overseer", SBS, ["oversight"], "secret"),
        analyst=make_person(engine, settings, "analyst", MIA, ["analyst"], "top_secret"),
        engine=engine,
        settings=settings,
    )


def soon(days: int = 30) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def bulletins(cast: Cast, *levels: str) -> list[BulletinRow]:
    ctx = cast.ctx(cast.analyst)
    return [service.create(ctx, Draft("Inquiry", "Text.", level)) for level in levels]


def visible(cast: Cast) -> set[str]:
    return {r.id for r in listing.listing(cast.ctx(cast.overseer), listing.Query(limit=200))}


def grant(cast: Cast, doctrine: Doctrine, **target: str) -> GrantRow:
    return grants.create(
        cast.ctx(cast.admin),
        doctrine,
        user_id=cast.overseer.user.id,
        record_type=target.pop("record_type", "bulletin"),
        inquiry="Inquiry 12/2026, art. 5 of the Law on Oversight",
        expires_at=soon(),
        **target,
    )


def test_a_record_grant_opens_one_record_within_clearance(
    cast: Cast, doctrine: Doctrine, engine: Engine
) -> None:
    one, two, too_high = bulletins(cast, "restricted", "restricted", "top_secret")
    assert visible(cast) == set()
    made = grant(cast, doctrine, record_id=one.id)
    grant(cast, doctrine, record_id=too_high.id)
    assert visible(cast) == {one.id}
    assert service.get(cast.ctx(cast.overseer), one.id).id == one.id
    for hidden in (two.id, too_high.id):
        with pytest.raises(Hidden):
            service.get(cast.ctx(cast.overseer), hidden)
    # A grant opens reading, never changing.
    with pytest.raises(Forbidden):
        service.update(cast.ctx(cast.overseer), one.id, service.Changes(title="Edited"))

    ended = grants.revoke(cast.ctx(cast.admin), made.id)
    assert ended.revoked_at is not None and not grants.is_active(ended)
    assert visible(cast) == set()
    with transaction(engine) as session:
        entry = session.scalars(select(AuditRow).where(AuditRow.action == "grant.create")).first()
    assert entry is not None and entry.record_id == made.id and entry.outcome == "success"
    assert entry.detail["record_id"] == one.id and entry.detail["inquiry"].startswith("Inquiry")


def test_an_agency_grant_opens_that_agencys_records_until_it_expires(
    cast: Cast, doctrine: Doctrine, engine: Engine
) -> None:
    one, two = bulletins(cast, "unclassified", "secret")
    other = make_person(engine, cast.settings, "border", SBS, ["analyst"], "secret")
    theirs = service.create(cast.ctx(other), Draft("Theirs", "Text.", "restricted"))
    made = grant(cast, doctrine, agency_id=MIA)
    grant(cast, doctrine, agency_id=SBS, record_type="complaint")
    assert visible(cast) == {one.id, two.id}
    assert theirs.id not in visible(cast)
    with transaction(engine) as session:
        session.execute(
            update(GrantRow)
            .where(GrantRow.id == made.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert visible(cast) == set()


def test_grants_are_checked(cast: Cast, doctrine: Doctrine, engine: Engine) -> None:
    admin = cast.ctx(cast.admin)
    base: dict[str, object] = {
        "user_id": cast.overseer.user.id,
        "record_type": "bulletin",
        "agency_id": MIA,
        "inquiry": "Inquiry 12/2026",
        "expires_at": soon(),
    }
    cases: list[tuple[dict[str, object], str]] = [
        ({"inquiry": "   "}, "inquiry"),
        ({"expires_at": datetime.now(UTC) - timedelta(minutes=1)}, "expires_at"),
        ({"expires_at": soon(400)}, "expires_at"),
        ({"record_type": "villain"}, "record_type"),
        ({"record_id": "abc"}, "record_id"),
        ({"agency_id": None}, "record_id"),
        ({"agency_id": "agency-atlantis"}, "agency_id"),
        ({"user_id": cast.analyst.user.id}, "user_id"),
        ({"user_id": "nobody"}, "user_id"),
    ]
    for changes, field in cases:
        with pytest.raises(InvalidInput) as caught:
            grants.create(admin, doctrine, **{**base, **changes})  # type: ignore[arg-type]
        assert caught.value.field == field, changes
        assert caught.value.message.startswith(f"{field}: ")
    for ctx in (cast.ctx(cast.analyst), cast.ctx(cast.overseer)):
        with pytest.raises(Forbidden):
            grants.create(ctx, doctrine, **base)  # type: ignore[arg-type]
    with transaction(engine) as session:
        assert session.scalars(select(GrantRow)).all() == []
        outcomes = session.scalars(
            select(AuditRow.outcome).where(AuditRow.action == "grant.create")
        ).all()
    assert outcomes.count("invalid") == len(cases) and outcomes.count("denied") == 2


def test_nobody_grants_themselves(
    cast: Cast, doctrine: Doctrine, engine: Engine, settings: Settings
) -> None:
    both = make_person(engine, settings, "both", MIA, ["platform_admin", "oversight"])
    with pytest.raises(Forbidden, match="themselves"):
        grants.create(
            both.ctx(engine, settings),
            doctrine,
            user_id=both.user.id,
            record_type="bulletin",
            agency_id=MIA,
            inquiry="Self-serving",
            expires_at=soon(),
        )


def test_expiry_is_stored_in_utc(cast: Cast, doctrine: Doctrine) -> None:
    baku = timezone(timedelta(hours=4))
    local = (datetime.now(UTC) + timedelta(days=2)).astimezone(baku)
    made = grants.create(
        cast.ctx(cast.admin),
        doctrine,
        user_id=cast.overseer.user.id,
        record_type="bulletin",
        agency_id=MIA,
        inquiry="Inquiry 12/2026",
        expires_at=local,
    )
    with transaction(cast.engine) as session:
        stored = session.get(GrantRow, made.id)
        assert stored is not None and aware(stored.expires_at) == local


def test_listing_and_revoking(cast: Cast, doctrine: Doctrine, engine: Engine) -> None:
    other = make_person(engine, cast.settings, "other-overseer", MIA, ["oversight"])
    mine = grant(cast, doctrine, agency_id=MIA)
    grants.create(
        cast.ctx(cast.admin),
        doctrine,
        user_id=other.user.id,
        record_type="case",
        agency_id=SBS,
        inquiry="Another inquiry",
        expires_at=soon(),
    )
    assert len(grants.listing(cast.ctx(cast.admin))) == 2
    assert [g.id for g in grants.listing(cast.ctx(cast.overseer))] == [mine.id]
    with pytest.raises(Forbidden):
        grants.listing(cast.ctx(cast.analyst))
    with pytest.raises(Forbidden):
        grants.revoke(cast.ctx(cast.overseer), mine.id)
    with pytest.raises(NotFound):
        grants.revoke(cast.ctx(cast.admin), "missing")
    grants.revoke(cast.ctx(cast.admin), mine.id)
    grants.revoke(cast.ctx(cast.admin), mine.id)
    (listed,) = grants.listing(cast.ctx(cast.overseer))
    assert listed.revoked_at is not None


def test_the_grants_api(cast: Cast, engine: Engine, settings: Settings) -> None:
    (row,) = bulletins(cast, "restricted")
    body = {
        "user_id": cast.overseer.user.id,
        "record_type": "bulletin",
        "record_id": row.id,
        "inquiry": "Inquiry 12/2026",
        "expires_at": soon().isoformat(),
    }
    with TestClient(create_app(settings)) as api:
        url = "/api/v1/oversight/grants"
        assert api.get(url).status_code == 401
        assert api.post(url, json=body, headers=cast.analyst.headers).status_code == 403
        response = api.post(url, json=body, headers=cast.admin.headers)
        assert response.status_code == 201, response.text
        made = response.json()
        assert made["active"] is True and made["record_id"] == row.id
        read = api.get(f"/api/v1/bulletins/{row.id}", headers=cast.overseer.headers)
        assert read.status_code == 200
        own = api.get(url, headers=cast.overseer.headers).json()["grants"]
        assert [g["id"] for g in own] == [made["id"]]
        bad = api.post(url, json={**body, "inquiry": " "}, headers=cast.admin.headers)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "inquiry"
        gone = api.delete(f"{url}/{made['id']}", headers=cast.admin.headers)
        assert gone.status_code == 200 and gone.json()["active"] is False
        read = api.get(f"/api/v1/bulletins/{row.id}", headers=cast.overseer.headers)
        assert read.status_code == 404
        assert api.delete(f"{url}/missing", headers=cast.admin.headers).status_code == 404
