"""Collections in the core: creation, grants to agencies and partner organisations, and who may
read or write what."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, select

from qalxan.access.audit import Context
from qalxan.access.policy import Hidden
from qalxan.access.tables import AuditRow
from qalxan.cti import collections, ingest
from qalxan.cti.collections import Rights
from qalxan.doctrine.loader import load_bundled
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound
from qalxan.store.engine import transaction
from tests.cti.taxii_support import CERT, MIA, ROOT, SBS, Cast, cast  # noqa: F401

NATO = "org-nato"


def rights_of(crew: Cast, ctx: Context, collection_id: str) -> Rights:
    with transaction(crew.engine) as session:
        row, found = collections.get(session, ctx.principal, ROOT, collection_id)
        assert row.id == collection_id
        return found


def partner(crew: Cast, agency: str, role: str = "cert_analyst") -> Context:
    """Someone of a partner organisation (accounts of partners need the lead's change: see
    docs/taxii.md), made from a CERT account by changing the agency."""
    ctx = crew.ctx(crew.writer)
    principal = replace(ctx.principal, agency_id=agency, roles=(role,), user_id=None)
    return replace(ctx, principal=principal)


def test_create_and_grant(cast: Cast) -> None:  # noqa: F811
    cert = cast.ctx(cast.cert)
    collection_id = cast.collection("Indicators")
    assert rights_of(cast, cert, collection_id) == Rights(True, True)
    with pytest.raises(NotFound):
        rights_of(cast, cast.ctx(cast.reader), collection_id)
    doctrine = load_bundled()
    collections.grant(cert, doctrine, collection_id, SBS, read=True, write=False)
    collections.grant(cert, doctrine, collection_id, NATO, read=True, write=True)
    assert rights_of(cast, cast.ctx(cast.reader), collection_id) == Rights(True, False)
    assert rights_of(cast, partner(cast, NATO), collection_id) == Rights(True, True)
    # Roles still count: an analyst (cti:read only) of a writing grantee cannot write.
    assert rights_of(cast, partner(cast, NATO, "analyst"), collection_id) == Rights(True, False)
    described = collections.describe(cert, collection_id)
    assert sorted((g.grantee, g.can_read, g.can_write) for g in described.grants) == [
        (SBS, True, False),
        (NATO, True, True),
    ]
    collections.grant(cert, doctrine, collection_id, SBS, read=False, write=False)
    with pytest.raises(NotFound):
        rights_of(cast, cast.ctx(cast.reader), collection_id)
    with transaction(cast.engine) as session:
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.record_id == collection_id)
        ).all()
    assert actions.count("cti.collection.grant") == 2
    assert "cti.collection.revoke" in actions


def test_listing_shows_what_the_caller_may_use(cast: Cast) -> None:  # noqa: F811
    shared = cast.collection("Shared", read=(SBS,))
    cast.collection("Own")
    elsewhere = collections.create(cast.ctx(cast.cert), api_root="other", title="Elsewhere")
    reader = [(c.row.id, c.rights) for c in collections.listing(cast.ctx(cast.reader))]
    assert reader == [(shared, Rights(True, False))]
    owner = collections.listing(cast.ctx(cast.cert), ROOT)
    assert [c.row.title for c in owner] == ["Shared", "Own"]
    assert elsewhere.id not in {c.row.id for c in owner}


def test_only_the_owner_grants_and_only_to_known_grantees(cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Indicators", write=(MIA,))
    doctrine = load_bundled()
    with pytest.raises(Forbidden):  # sees it (may write to it), does not own it
        collections.grant(
            cast.ctx(cast.writer), doctrine, collection_id, SBS, read=True, write=False
        )
    readable = cast.collection("Shared", read=(SBS,))
    with pytest.raises(Forbidden):  # sees it, but analysts hold no cti:share
        collections.grant(cast.ctx(cast.reader), doctrine, readable, SBS, read=True, write=False)
    for grantee in ("agency-nowhere", "threat-3-1", "state-tr"):
        with pytest.raises(InvalidInput) as bad:
            collections.grant(
                cast.ctx(cast.cert), doctrine, collection_id, grantee, read=True, write=False
            )
        assert bad.value.field == "grantee"
    with pytest.raises(InvalidInput):
        collections.grant(
            cast.ctx(cast.cert), doctrine, collection_id, CERT, read=True, write=False
        )


def test_creation_is_checked(cast: Cast) -> None:  # noqa: F811
    cert = cast.ctx(cast.cert)
    with pytest.raises(Forbidden):  # analysts create no CTI
        collections.create(cast.ctx(cast.reader), api_root=ROOT, title="Mine")
    with pytest.raises(InvalidInput) as bad:
        collections.create(cert, api_root="Not A Root", title="x")
    assert bad.value.field == "api_root"
    with pytest.raises(InvalidInput):
        collections.create(cert, api_root=ROOT, title="x", collection_id="not-a-uuid")
    made = collections.create(cert, api_root=ROOT, title="With alias", alias="iocs")
    with pytest.raises(Conflict):
        collections.create(cert, api_root=ROOT, title="Again", alias="iocs")
    with pytest.raises(Conflict):
        collections.create(cert, api_root=ROOT, title="Same id", collection_id=made.id)
    assert collections.create(cert, api_root="other", title="Alias elsewhere", alias="iocs")


def test_a_collection_is_found_only_under_its_api_root(cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Indicators")
    with transaction(cast.engine) as session, pytest.raises(NotFound):
        collections.get(session, cast.cert.principal, "other", collection_id)


def test_a_grant_to_a_collection_out_of_reach_answers_like_a_missing_one(
    cast: Cast,  # noqa: F811
) -> None:
    collection_id = cast.collection("Indicators", read=(SBS,))
    missing_id = str(uuid.uuid4())
    doctrine = load_bundled()
    # MIA's CERT analyst holds cti:share but no right to the collection; nobody may know of
    # the missing one: the same 404, the same message and field.
    for ctx in (cast.ctx(cast.writer), partner(cast, NATO)):
        answers = []
        for ref in (collection_id, missing_id):
            with pytest.raises(Hidden) as refused:
                collections.grant(ctx, doctrine, ref, MIA, read=True, write=False)
            answers.append((refused.value.message.replace(ref, "X"), refused.value.field))
        assert answers[0] == answers[1] == ("no collection has the id 'X'", "collection_id")
    with transaction(cast.engine) as session:
        refusals = session.scalars(
            select(AuditRow)
            .where(AuditRow.action == "cti.collection.grant", AuditRow.outcome == "denied")
            .order_by(AuditRow.seq)
        ).all()
    # Only the audit trail tells the two apart.
    assert [r.detail["reason"] for r in refusals] == [
        "outside the caller's reach",
        "no such record",
    ] * 2
    # Seeing it (a read grant) without owning it: 403.
    with pytest.raises(Forbidden):
        collections.grant(
            cast.ctx(cast.reader), doctrine, collection_id, MIA, read=True, write=False
        )
    with pytest.raises(NotFound):  # a revoke is the same grant
        collections.grant(
            cast.ctx(cast.writer), doctrine, collection_id, SBS, read=False, write=False
        )


def test_the_listing_counts_members_in_one_query(cast: Cast) -> None:  # noqa: F811
    cert = cast.ctx(cast.cert)
    full = cast.collection("Full", read=(SBS,), write=(MIA,))
    some = cast.collection("Some")
    cast.collection("Empty")
    objects = [stix_object(n) for n in range(3)]
    ingest.import_objects(cert, objects, collection=full)
    ingest.import_objects(cert, objects[:1], collection=some)  # stored before: only added
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(cast.engine, "before_cursor_execute", seen)
    try:
        listed = collections.listing(cert, ROOT)
    finally:
        event.remove(cast.engine, "before_cursor_execute", seen)
    assert [(c.row.title, c.members) for c in listed] == [("Full", 3), ("Some", 1), ("Empty", 0)]
    assert [(g.grantee, g.can_read, g.can_write) for g in listed[0].grants] == [
        (MIA, False, True),
        (SBS, True, False),
    ]
    assert listed[1].grants == listed[2].grants == []
    counting = [s for s in statements if "cti_collection_objects" in s]
    assert len(counting) == 1 and "GROUP BY" in counting[0]
    # The same figures as describe gives.
    for item in listed:
        assert collections.describe(cert, item.row.id).members == item.members
    [item] = collections.listing(cast.ctx(cast.reader))
    assert (item.row.id, item.rights) == (full, Rights(True, False))


def stix_object(n: int) -> dict[str, Any]:
    return {
        "type": "malware",
        "spec_version": "2.1",
        "id": f"malware--{uuid.UUID(int=n + 1, version=4)}",
        "created": "2024-03-01T10:00:00.000Z",
        "modified": "2024-03-01T10:00:00.000Z",
        "name": f"Family {n}",
        "is_family": True,
    }
