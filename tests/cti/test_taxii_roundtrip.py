"""STIX -> TAXII -> STIX: the OASIS example bundles posted to a collection come back object for
object, unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stix2
from taxii2client.v21 import Collection, as_pages

from tests.cti.taxii_support import EXAMPLES, ROOT, Cast, cast, live, shared  # noqa: F401


def bundles() -> list[str]:
    if not EXAMPLES.is_dir():
        return ["missing"]
    found = sorted(EXAMPLES.rglob("*.json"))
    return [
        str(p.relative_to(EXAMPLES))
        for p in found
        if json.loads(p.read_text("utf-8")).get("type") == "bundle"
    ]


def key(obj: dict[str, Any]) -> tuple[str, str]:
    return obj["id"], obj.get("modified") or obj.get("created") or ""


@pytest.mark.parametrize("name", bundles())
def test_examples_round_trip(live: str, cast: Cast, name: str) -> None:  # noqa: F811
    sent = json.loads(shared(EXAMPLES / name).read_text("utf-8"))["objects"]
    collection_id = cast.collection(name)
    collection = Collection(f"{live}{ROOT}/collections/{collection_id}/", auth=cast.auth(cast.cert))
    status = collection.add_objects({"objects": sent})
    # What the store refuses comes back in the status with its reason (the OASIS
    # infrastructure example has an upper-case UUID, which the store does not take).
    refused = {(f["id"], f["version"]) for f in status.failures}
    assert all(f["message"] for f in status.failures)
    accepted = [obj for obj in sent if key(obj) not in refused]
    assert status.success_count == len(accepted) >= len(sent) - 1
    pages = as_pages(collection.get_objects, per_request=7, version="all")
    received = [obj for page in pages for obj in page.get("objects", [])]
    assert len(received) == len(accepted)
    by_key = {key(o): o for o in received}
    for obj in accepted:
        assert by_key[key(obj)] == obj
        assert stix2.parse(by_key[key(obj)], allow_custom=True) == stix2.parse(
            obj, allow_custom=True
        )
