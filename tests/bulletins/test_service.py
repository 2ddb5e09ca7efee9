"""Bulletins in the core: create, read, update, list, search, count, export; all audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.policy import Hidden
from qalxan.access.tables import AuditRow
from qalxan.bulletins import listing, service
from qalxan.bulletins.service import Changes, Draft
from qalxan.errors import Forbidden, InvalidInput
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import make_person

MIA, SBS = "agency-mia", "agency-sbs"


@dataclass
class Cast:
    owner: Context
    reporter: Context
    neighbour: Context
    screener: Context
    low: Context


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    def ctx(name: str, agency: str, role: str, clearance: str = "secret") -> Context:
        person = make_person(engine, settings, name, agency, [role], clearance, with_key=False)
        return person.ctx(engine, settings)

    return Cast(
        owner=ctx("owner", MIA, "analyst"),
        reporter=ctx("reporter", MIA, "reporter"),
        neighbour=ctx("neighbour", SBS, "analyst"),
        screener=ctx("screener", MIA, "screening_officer"),
        low=ctx("low", MIA, "analyst", "restricted"),
    )


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))


def draft(
    title: str = "Lookout: white van",
    *,
    body: str = "Seen near the border crossing.",
    classification: str = "restricted",
    tlp: str | None = None,
    owner_unit: str | None = None,
) -> Draft:
    return Draft(title, body, classification, tlp, owner_unit)


def test_create_stores_codes_as_rank_and_marking(cast: Cast, engine: Engine) -> None:
    row = service.create(cast.owner, draft(tlp="tlp:amber", classification="confidential"))
    assert row.owner_agency == MIA and row.classification == 2 and row.tlp == "AMBER"
    assert len(row.id) == 24 and row.author_id == cast.owner.principal.user_id
    (entry,) = audits(engine, "bulletin.create")
    assert entry.outcome == "success" and entry.record_id == row.id
    assert entry.record_agency == MIA


def test_create_names_the_field_at_fault(cast: Cast, engine: Engine) -> None:
    cases: list[tuple[Draft, str]] = [
        (draft("  "), "title"),
        (draft("x" * 301), "title"),
        (draft(body=" "), "body"),
        (draft(classification="cosmic"), "classification"),
        (draft(classification="top_secret"), "classification"),
        (draft(tlp="PURPLE"), "tlp"),
        (draft(owner_unit="nowhere"), "owner_unit"),
    ]
    for bad, field in cases:
        with pytest.raises(InvalidInput) as caught:
            service.create(cast.owner, bad)
        assert caught.value.field == field and caught.value.message.startswith(f"{field}: ")
    assert {a.outcome for a in audits(engine, "bulletin.create")} == {"invalid"}


def test_create_needs_the_permission(cast: Cast, engine: Engine) -> None:
    with pytest.raises(Forbidden):
        service.create(cast.screener, draft())
    assert [a.outcome for a in audits(engine, "bulletin.create")] == ["denied"]


def test_read_is_audited_and_a_hidden_bulletin_is_like_a_missing_one(
    cast: Cast, engine: Engine
) -> None:
    row = service.create(cast.owner, draft())
    assert service.get(cast.reporter, row.id).title == "Lookout: white van"
    with pytest.raises(Hidden) as hidden:
        service.get(cast.neighbour, row.id)
    missing_id = "0" * 24
    with pytest.raises(Hidden) as missing:
        service.get(cast.neighbour, missing_id)
    assert hidden.value.message.replace(row.id, missing_id) == missing.value.message
    assert hidden.value.field == missing.value.field == "id"
    reads = audits(engine, "bulletin.read")
    assert [(a.outcome, a.record_id) for a in reads] == [
        ("success", row.id),
        ("denied", row.id),
        ("denied", missing_id),
    ]
    assert reads[0].record_agency == MIA
    assert reads[1].detail["reason"] == "outside the caller's reach"
    assert reads[2].detail["reason"] == "no such record"


def test_update_by_the_owning_agency_within_clearance(cast: Cast, engine: Engine) -> None:
    row = service.create(cast.owner, draft(tlp="GREEN"))
    changed = service.update(
        cast.owner, row.id, Changes(title=" New title ", classification="secret", tlp="red")
    )
    assert (changed.title, changed.classification, changed.tlp) == ("New title", 3, "RED")
    assert changed.updated_at >= row.created_at
    assert service.update(cast.owner, row.id, Changes(tlp=None)).tlp is None
    assert service.update(cast.owner, row.id, Changes(body="Kept marking")).tlp is None
    details = [a.detail for a in audits(engine, "bulletin.update")]
    assert details[0] == {
        "changed": ["title", "classification", "tlp"],
        "classification": "secret",
        "tlp": "RED",
    }
    with pytest.raises(InvalidInput) as caught:
        service.update(cast.owner, row.id, Changes(classification="top_secret"))
    assert caught.value.field == "classification"


def test_update_is_for_the_owning_agency_only(cast: Cast) -> None:
    row = service.create(cast.owner, draft(tlp="GREEN"))
    with pytest.raises(Forbidden, match="owning agency"):
        service.update(cast.neighbour, row.id, Changes(title="Mine now"))
    with pytest.raises(Forbidden, match="roles"):
        service.update(cast.reporter, row.id, Changes(title="Mine now"))
    secret = service.create(cast.owner, draft(classification="secret"))
    with pytest.raises(Hidden):
        service.update(cast.low, secret.id, Changes(title="Mine now"))
    assert service.get(cast.owner, row.id).title == "Lookout: white van"


def test_list_search_count_and_export_show_only_what_the_caller_may_read(
    cast: Cast, engine: Engine
) -> None:
    mine = service.create(cast.owner, draft("Van at Astara", tlp="AMBER"))
    green = service.create(cast.owner, draft("Drone sightings", tlp="GREEN"))
    secret = service.create(cast.owner, draft("=HYPERLINK(1)", classification="secret"))
    theirs = service.create(cast.neighbour, draft("Boat near Lankaran", tlp="AMBER"))

    def ids(ctx: Context, q: str | None = None) -> set[str]:
        return {r.id for r in listing.listing(ctx, listing.Query(q, limit=200))}

    assert ids(cast.owner) == {mine.id, green.id, secret.id}
    assert ids(cast.low) == {mine.id, green.id}
    assert ids(cast.neighbour) == {green.id, theirs.id}
    assert ids(cast.owner, "van AT") == {mine.id}
    assert ids(cast.owner, "SIGHTINGS") == {green.id}
    assert ids(cast.owner, "%") == set()
    assert ids(cast.owner, "_") == set()
    assert listing.count(cast.neighbour) == 2
    assert listing.count(cast.owner, "border") == 3
    page = listing.listing(cast.owner, listing.Query(limit=2, offset=2))
    assert len(page) == 1

    rows = list(csv.DictReader(io.StringIO(listing.export(cast.owner))))
    assert {r["id"] for r in rows} == {mine.id, green.id, secret.id}
    by_id = {r["id"]: r for r in rows}
    assert by_id[secret.id]["title"] == "'=HYPERLINK(1)"
    assert by_id[secret.id]["classification"] == "secret"
    assert by_id[green.id]["tlp"] == "GREEN"

    (search, *_) = audits(engine, "bulletin.search")
    assert search.detail["q"] == "van AT" and search.detail["ids"] == [mine.id]
    (export,) = audits(engine, "bulletin.export")
    assert sorted(export.detail["ids"]) == sorted(by_id) and export.detail["count"] == 3
    assert {a.detail["count"] for a in audits(engine, "bulletin.count")} == {2, 3}
    assert len(audits(engine, "bulletin.list")) == 4


def test_list_needs_read_and_export_needs_export(cast: Cast, engine: Engine) -> None:
    with pytest.raises(Forbidden):
        listing.export(cast.reporter)
    assert [a.outcome for a in audits(engine, "bulletin.export")] == ["denied"]
    assert listing.count(cast.reporter) == 0


def test_bad_pages_name_the_field(cast: Cast, engine: Engine) -> None:
    cases = [
        (listing.Query(limit=0), "limit"),
        (listing.Query(limit=201), "limit"),
        (listing.Query(offset=-1), "offset"),
        (listing.Query(q="x" * 201), "q"),
    ]
    for query, field in cases:
        with pytest.raises(InvalidInput) as caught:
            listing.listing(cast.owner, query)
        assert caught.value.field == field
    assert [a.outcome for a in audits(engine, "bulletin.list")] == ["invalid"] * 3
    assert [a.outcome for a in audits(engine, "bulletin.search")] == ["invalid"]
