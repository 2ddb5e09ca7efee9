"""Collection rights and the record policy together: what each reader of a shared collection
gets, by clearance and TLP (see :mod:`qalxan.cti.taxii.query`)."""

from __future__ import annotations

import uuid
from typing import Any

from taxii2client.v21 import Collection, as_pages

from qalxan.cti import markings
from tests.cti.taxii_support import MIA, ROOT, SBS, Cast, cast, live  # noqa: F401
from tests.people import Person

CREATED = "2024-01-10T08:00:00.000Z"


def marked(name: str, *refs: str) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
        "created": CREATED,
        "modified": CREATED,
        "name": name,
        "pattern": "[domain-name:value = 'bad.example']",
        "pattern_type": "stix",
        "valid_from": CREATED,
    }
    if refs:
        obj["object_marking_refs"] = list(refs)
    return obj


OBJECTS = [
    marked("clear", markings.tlp_id("CLEAR")),
    marked("green", markings.tlp_id("GREEN")),
    marked("amber", markings.tlp_id("AMBER")),
    marked("amber strict", markings.tlp_id("AMBER+STRICT")),
    marked("red", markings.tlp_id("RED")),
    marked("unmarked"),
    marked("amber secret", markings.tlp_id("AMBER"), markings.classification_id("secret")),
    marked("green restricted", markings.tlp_id("GREEN"), markings.classification_id("restricted")),
]


def names(crew: Cast, person: Person, url: str) -> set[str]:
    collection = Collection(url, auth=crew.auth(person))
    pages = as_pages(collection.get_objects, per_request=3)
    return {o["name"] for page in pages for o in page.get("objects", [])}


def test_what_each_reader_of_a_shared_collection_gets(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Shared", read=(SBS,))
    url = f"{live}{ROOT}/collections/{collection_id}/"
    status = Collection(url, auth=cast.auth(cast.cert)).add_objects({"objects": OBJECTS})
    assert status.success_count == len(OBJECTS)
    assert names(cast, cast.cert, url) == {o["name"] for o in OBJECTS}
    # The collection shares the TLP it may share, within the reader's clearance; RED and
    # unmarked objects stay with the owning agency.
    assert names(cast, cast.reader, url) == {
        "clear",
        "green",
        "amber",
        "amber strict",
        "amber secret",
        "green restricted",
    }
    assert names(cast, cast.low, url) == {"clear", "green", "amber", "amber strict"}


def test_what_a_partner_writes_reaches_the_collection_readers(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Shared", read=(SBS,), write=(MIA,))
    url = f"{live}{ROOT}/collections/{collection_id}/"
    writer = Collection(url, auth=cast.auth(cast.writer))
    sent = writer.add_objects({"objects": [OBJECTS[2], OBJECTS[4], OBJECTS[6]]})
    assert sent.success_count == 3
    # The owner reads the AMBER objects put into its collection; RED stays with the sender.
    assert names(cast, cast.cert, url) == {"amber", "amber secret"}
    assert names(cast, cast.reader, url) == {"amber", "amber secret"}


def test_nobody_sends_what_they_could_not_read(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Shared", write=(MIA,))
    url = f"{live}{ROOT}/collections/{collection_id}/"
    top = marked("top", markings.tlp_id("AMBER"), markings.classification_id("top_secret"))
    status = Collection(url, auth=cast.auth(cast.writer)).add_objects({"objects": [top]})
    assert (status.success_count, status.failure_count) == (0, 1)
    assert "clearance" in status.failures[0]["message"]


def test_last_is_not_answered_with_an_older_version(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Shared", read=(SBS,))
    url = f"{live}{ROOT}/collections/{collection_id}/"
    old = marked("versioned", markings.tlp_id("GREEN"))
    new = {
        **old,
        "modified": "2024-02-01T00:00:00.000Z",
        "object_marking_refs": [markings.tlp_id("RED")],
    }
    Collection(url, auth=cast.auth(cast.cert)).add_objects({"objects": [old, new]})
    reader = Collection(url, auth=cast.auth(cast.reader))
    assert reader.get_objects()["objects"] == []
    assert [o["modified"] for o in reader.get_objects(version="all")["objects"]] == [CREATED]
