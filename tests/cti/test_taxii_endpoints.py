"""Conformance: ``taxii2-client`` drives every endpoint of the server, over real HTTP on
loopback, through the versions, filters, paging and headers of TAXII 2.1."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from qalxan.access.tables import AuditRow
from qalxan.cti.tables import CtiObjectRow
from qalxan.cti.taxii import media
from qalxan.store.engine import transaction
from tests.cti.taxii_support import ROOT, SBS, Cast, cast, live  # noqa: F401

INDICATOR = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
MALWARE = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
TIMES = ("2016-04-06T20:03:48.000Z", "2016-05-06T20:03:48.000Z", "2016-06-06T20:03:48.123Z")


def indicator(modified: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": INDICATOR,
        "created": TIMES[0],
        "modified": modified,
        "name": f"C2 as of {modified}",
        "pattern": "[ipv4-addr:value = '198.51.100.7']",
        "pattern_type": "stix",
        "valid_from": TIMES[0],
    }


MALWARE_OBJ = {
    "type": "malware",
    "spec_version": "2.1",
    "id": MALWARE,
    "created": TIMES[0],
    "modified": TIMES[0],
    "name": "Poison Ivy",
    "is_family": True,
}


@pytest.fixture
def filled(live: str, cast: Cast) -> tuple[Collection, str]:  # noqa: F811
    """A collection holding three versions of an indicator and a malware, read by SBS."""
    collection_id = cast.collection("Indicators", read=(SBS,))
    url = f"{live}{ROOT}/collections/{collection_id}/"
    collection = Collection(url, auth=cast.auth(cast.cert))
    status = collection.add_objects({"objects": [indicator(t) for t in TIMES] + [MALWARE_OBJ]})
    assert (status.status, status.success_count, status.failure_count) == ("complete", 4, 0)
    return collection, collection_id


def ids(envelope: dict[str, Any]) -> list[tuple[str, str]]:
    return [(o["id"], o["modified"]) for o in envelope.get("objects", [])]


def test_discovery_api_root_and_collections(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Indicators", read=(SBS,))
    cast.collection("Not shared")
    server = Server(live, auth=cast.auth(cast.reader))
    assert server.title == "Qalxan TAXII 2.1"
    assert [root.url for root in server.api_roots] == [f"{live}{ROOT}/"]
    assert server.default is not None and server.default.url == f"{live}{ROOT}/"
    root = ApiRoot(f"{live}{ROOT}/", auth=cast.auth(cast.reader))
    assert root.versions == [media.TAXII_21]
    assert root.max_content_length > 1_000_000
    seen = {c.id: (c.title, c.can_read, c.can_write) for c in root.collections}
    assert seen == {collection_id: ("Indicators", True, False)}
    owner = ApiRoot(f"{live}{ROOT}/", auth=cast.auth(cast.cert))
    assert sorted((c.title, c.can_read, c.can_write) for c in owner.collections) == [
        ("Indicators", True, True),
        ("Not shared", True, True),
    ]
    one = Collection(f"{live}{ROOT}/collections/{collection_id}/", auth=cast.auth(cast.reader))
    assert (one.title, one.can_read, one.can_write) == ("Indicators", True, False)
    assert one.media_types == [media.STIX_21]


def test_versions_filters(filled: tuple[Collection, str]) -> None:
    collection, _ = filled
    assert ids(collection.get_objects()) == [(INDICATOR, TIMES[2]), (MALWARE, TIMES[0])]
    assert ids(collection.get_objects(version="first")) == [
        (INDICATOR, TIMES[0]),
        (MALWARE, TIMES[0]),
    ]
    assert len(ids(collection.get_objects(version="all"))) == 4
    assert ids(collection.get_objects(version=TIMES[1])) == [(INDICATOR, TIMES[1])]
    assert ids(collection.get_objects(version=["first", "last"], type="indicator")) == [
        (INDICATOR, TIMES[0]),
        (INDICATOR, TIMES[2]),
    ]
    assert ids(collection.get_objects(type=["malware", "tool"])) == [(MALWARE, TIMES[0])]
    assert ids(collection.get_objects(id=MALWARE, version="all")) == [(MALWARE, TIMES[0])]
    assert len(ids(collection.get_objects(spec_version="2.1", version="all"))) == 4
    assert ids(collection.get_objects(spec_version="2.0")) == []


def test_added_after_and_manifest(filled: tuple[Collection, str]) -> None:
    collection, _ = filled
    manifest = collection.get_manifest(version="all")["objects"]
    assert [(m["id"], m["version"]) for m in manifest] == [(INDICATOR, t) for t in TIMES] + [
        (MALWARE, TIMES[0])
    ]
    assert {m["media_type"] for m in manifest} == {media.STIX_21}
    dates = [m["date_added"] for m in manifest]
    assert dates == sorted(dates) and len(set(dates)) == 4
    later = collection.get_objects(added_after=dates[1], version="all")
    assert ids(later) == [(INDICATOR, TIMES[2]), (MALWARE, TIMES[0])]
    assert collection.get_manifest(added_after=dates[3])["objects"] == []


def test_one_object_and_its_versions(filled: tuple[Collection, str]) -> None:
    collection, _ = filled
    assert ids(collection.get_object(INDICATOR)) == [(INDICATOR, TIMES[2])]
    assert len(ids(collection.get_object(INDICATOR, version="all"))) == 3
    assert collection.object_versions(INDICATOR)["versions"] == list(TIMES)
    pages = list(as_pages(collection.object_versions, 2, INDICATOR))
    assert [p["versions"] for p in pages] == [list(TIMES[:2]), [TIMES[2]]]
    assert [p["more"] for p in pages] == [True, False]


def test_paging_serves_everything_once(filled: tuple[Collection, str]) -> None:
    collection, _ = filled
    pages = list(as_pages(collection.get_objects, per_request=1, version="all"))
    assert [len(p["objects"]) for p in pages] == [1, 1, 1, 1]
    assert all(p["more"] and p["next"] for p in pages[:-1]) and not pages[-1]["more"]
    assert "next" not in pages[-1]
    assert [i for p in pages for i in ids(p)] == ids(collection.get_objects(version="all"))
    manifest = list(as_pages(collection.get_manifest, per_request=3, version="all"))
    assert [len(p["objects"]) for p in manifest] == [3, 1]


def test_date_added_headers(live: str, cast: Cast, filled: tuple[Collection, str]) -> None:  # noqa: F811
    collection, collection_id = filled
    manifest = collection.get_manifest(version="all")["objects"]
    response = requests.get(
        f"{live}{ROOT}/collections/{collection_id}/objects/",
        params={"match[version]": "all", "limit": "2"},
        headers={"Accept": media.TAXII_21},
        auth=cast.auth(cast.cert),
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media.TAXII_21
    assert response.headers["X-TAXII-Date-Added-First"] == manifest[0]["date_added"]
    assert response.headers["X-TAXII-Date-Added-Last"] == manifest[1]["date_added"]


def test_status_resource(live: str, cast: Cast, filled: tuple[Collection, str]) -> None:  # noqa: F811
    collection, _ = filled
    broken = {**MALWARE_OBJ, "modified": "yesterday"}
    nameless = {"type": "x-custom", "id": "not-an-id"}
    sent = collection.add_objects({"objects": [MALWARE_OBJ, broken, nameless]})
    status = ApiRoot(f"{live}{ROOT}/", auth=cast.auth(cast.cert)).get_status(sent.id)
    assert (status.total_count, status.success_count, status.failure_count) == (3, 1, 2)
    assert status.successes == [{"id": MALWARE, "version": TIMES[0], "message": "already stored"}]
    assert status.failures[0]["id"] == MALWARE and status.failures[0]["version"] == "yesterday"
    assert status.failures[0]["message"].startswith("not valid STIX")
    assert "modified" in status.failures[0]["message"]
    assert "id" in status.failures[1]["message"]
    assert status.pending_count == 0 and status.status == "complete"


def test_delete_removes_from_the_collection_only(
    live: str,  # noqa: F811
    cast: Cast,  # noqa: F811
    filled: tuple[Collection, str],
) -> None:
    collection, _ = filled
    collection.delete_object(INDICATOR, version=TIMES[0])
    assert collection.object_versions(INDICATOR)["versions"] == list(TIMES[1:])
    assert ids(collection.get_objects(version="first", type="indicator")) == [(INDICATOR, TIMES[1])]
    collection.delete_object(INDICATOR)
    with pytest.raises(requests.HTTPError) as missing:
        collection.get_object(INDICATOR)
    assert missing.value.response is not None and missing.value.response.status_code == 404
    with transaction(cast.engine) as session:
        kept = session.scalar(select(func.count()).where(CtiObjectRow.stix_id == INDICATOR))
    assert kept == 3  # the store is append-only
    again = collection.add_objects({"objects": [indicator(TIMES[2])]})
    assert again.successes[0]["message"] == "already stored"
    assert ids(collection.get_object(INDICATOR)) == [(INDICATOR, TIMES[2])]


def test_every_read_is_audited(cast: Cast, filled: tuple[Collection, str]) -> None:  # noqa: F811
    collection, collection_id = filled
    collection.get_objects(version="all", limit=3)
    with transaction(cast.engine) as session:
        entry = session.scalars(
            select(AuditRow)
            .where(AuditRow.action == "cti.taxii.objects")
            .order_by(AuditRow.seq.desc())
        ).first()
    assert entry is not None and entry.outcome == "success"
    assert (entry.record_id, entry.actor_name) == (collection_id, "cert")
    assert entry.detail["count"] == 3 and entry.detail["more"] is True
    assert ["match[version]", "all"] in entry.detail["filters"]
