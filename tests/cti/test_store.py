"""The one writer of STIX objects: versions stored once, the newest flagged, conflicts refused,
markings read, collections filled in order."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from qalxan.access.markings import scheme
from qalxan.cti import markings, store
from qalxan.cti.tables import CtiCollectionRow, CtiEntryRow, CtiObjectRow
from qalxan.store.engine import transaction, write_transaction
from tests.cti.stix_support import AMBER, GREEN, indicator, sdo, stix_id

T1, T2, T3 = "2024-03-02T10:00:00.000Z", "2024-03-03T10:00:00.000Z", "2024-03-04T10:00:00.000Z"


def put(engine: Engine, objects: list[dict[str, Any]], **options: Any) -> store.Outcome:
    with write_transaction(engine) as session:
        return store.put(session, objects, agency="agency-ess", actor="cert", **options)


def rows(engine: Engine, stix_id_: str) -> list[CtiObjectRow]:
    with transaction(engine) as session:
        query = select(CtiObjectRow).where(CtiObjectRow.stix_id == stix_id_)
        return sorted(session.scalars(query), key=lambda r: r.version)


def test_putting_the_same_objects_twice_stores_nothing_new(engine: Engine) -> None:
    objects = [indicator("a"), indicator("b", value="203.0.113.9")]
    first = put(engine, objects)
    assert len(first.stored) == 2 and first.already == [] and first.failures == []
    again = put(engine, objects)
    assert again.stored == [] and sorted(again.already) == sorted(first.stored)
    assert again.rows == first.rows  # the same row ids
    assert len(rows(engine, objects[0]["id"])) == 1


def test_the_newest_version_is_flagged_whatever_the_order(engine: Engine) -> None:
    v1, v2, v3 = (indicator(modified=m) for m in (T1, T2, T3))
    put(engine, [v1, v3])
    put(engine, [v2])  # an older version arriving late changes nothing
    found = rows(engine, v1["id"])
    assert [(r.version, r.latest) for r in found] == [(T1, False), (T2, False), (T3, True)]
    revoked = indicator(modified="2024-03-05T10:00:00.000Z", revoked=True)
    put(engine, [revoked])
    newest = [r for r in rows(engine, v1["id"]) if r.latest]
    assert [(r.version, r.revoked) for r in newest] == [(revoked["modified"], True)]


def test_versions_compare_by_time_not_by_text(engine: Engine) -> None:
    short = indicator(modified="2024-03-02T10:00:00.5Z")
    long = indicator(modified="2024-03-02T10:00:00.45Z")  # earlier, though longer as text
    put(engine, [short, long])
    assert [(r.version, r.latest) for r in rows(engine, short["id"])] == [
        ("2024-03-02T10:00:00.45Z", False),
        ("2024-03-02T10:00:00.5Z", True),
    ]


def test_other_content_under_a_stored_version_is_refused(engine: Engine) -> None:
    put(engine, [indicator()])
    changed = indicator(name="another name")
    outcome = put(engine, [changed, indicator("other")])
    assert [(f.stix_id, f.reason) for f in outcome.failures] == [
        (changed["id"], "modified: another object with this id and version is stored")
    ]
    assert len(outcome.stored) == 1  # the rest is stored: put does not decide for the caller
    twice = put(engine, [indicator("x"), indicator("x", name="other")])
    assert [f.reason for f in twice.failures] == ["the same id and version twice, differently"]


def test_objects_without_usable_id_type_or_timestamp_are_refused(engine: Engine) -> None:
    bad = [
        {**indicator("1"), "id": "indicator--not-a-uuid"},
        {**indicator("2"), "type": "malware"},
        indicator("3", modified="yesterday"),
    ]
    reasons = [f.reason.split(":")[0] for f in put(engine, bad).failures]
    assert reasons == ["id", "type", "modified"]


def test_markings_and_names_are_read_from_the_object(engine: Engine) -> None:
    secret = markings.classification_id("secret")
    marked = indicator("m", marking=None, object_marking_refs=[GREEN, AMBER, secret])
    ip = {"type": "ipv4-addr", "spec_version": "2.1", "id": stix_id("ipv4-addr", "ip"),
          "value": "198.51.100.7"}  # fmt: skip
    put(engine, [marked, ip, sdo("malware", "m", "Industroyer", is_family=True)])
    [row] = rows(engine, marked["id"])
    assert row.tlp == "AMBER"  # the strictest
    assert row.classification == scheme().classification("secret").rank
    assert row.owner_agency == "agency-ess" and row.added_by == "cert"
    assert row.name == marked["name"]
    assert row.digest == hashlib.sha256(store.canonical(marked).encode()).hexdigest()
    [observable] = rows(engine, ip["id"])
    assert (observable.version, observable.version_at, observable.name) == ("", None, ip["value"])
    assert observable.tlp is None and observable.classification == 0


def test_collections_get_each_version_once_a_microsecond_apart(engine: Engine) -> None:
    with write_transaction(engine) as session:
        session.add(
            CtiCollectionRow(
                id="5c6e3d1e-8f4c-4a5b-9b1a-2f3e4d5c6b7a",
                api_root="cert",
                title="Test",
                owner_agency="agency-ess",
                created_by="cert",
            )
        )
    collection = "5c6e3d1e-8f4c-4a5b-9b1a-2f3e4d5c6b7a"
    now = datetime(2024, 3, 1, tzinfo=UTC)
    first = put(engine, [indicator("a"), indicator("b")], collection_id=collection, now=now)
    assert first.added == 2
    again = put(engine, [indicator("a"), indicator("c")], collection_id=collection, now=now)
    assert again.added == 1  # "a" is a member already
    with transaction(engine) as session:
        stamps = list(
            session.scalars(
                select(CtiEntryRow.date_added)
                .where(CtiEntryRow.collection_id == collection)
                .order_by(CtiEntryRow.date_added)
            )
        )
    aware = [s if s.tzinfo else s.replace(tzinfo=UTC) for s in stamps]
    assert aware == [now + timedelta(microseconds=i) for i in range(3)]
