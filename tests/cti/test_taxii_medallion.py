"""The reference server's fixture (medallion's ``default_data.json``): its API roots,
collections and objects loaded into the platform and served back as medallion serves them."""

from __future__ import annotations

import json
from typing import Any

from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from qalxan.access import audit
from qalxan.cti import collections, store
from qalxan.doctrine.loader import load_bundled
from tests.cti.taxii_support import (  # noqa: F401
    MEDALLION_DATA,
    MIA,
    Cast,
    cast,
    live,
    shared,
)


def load(crew: Cast, data: dict[str, Any]) -> None:
    """Every collection of every API root, owned by the CERT, with the fixture's rights given
    to another agency (the fixture's ``can_read``/``can_write`` are what a client may do)."""
    ctx = crew.ctx(crew.cert)
    for root in ("api1", "api2", "trustgroup1"):
        for spec in data[root]["collections"]:
            collections.create(
                ctx,
                api_root=root,
                title=spec["title"],
                description=spec.get("description"),
                collection_id=spec["id"],
            )
            if spec["can_read"] or spec["can_write"]:
                collections.grant(
                    ctx,
                    load_bundled(),
                    spec["id"],
                    MIA,
                    read=spec["can_read"],
                    write=spec["can_write"],
                )
            with audit.recorded(ctx, "test.load", "cti_collection", spec["id"]) as rec:
                outcome = store.put(
                    rec.session,
                    spec.get("objects", []),
                    agency=MIA,
                    actor="medallion fixture",
                    collection_id=spec["id"],
                )
                assert outcome.failures == []


def test_medallion_fixture_is_served_back(live: str, cast: Cast) -> None:  # noqa: F811
    data = json.loads(shared(MEDALLION_DATA).read_text("utf-8"))
    load(cast, data)
    auth = cast.auth(cast.writer)
    server = Server(live, auth=auth)
    # An API root exists here while a collection lives under it: medallion's api1 and api2
    # have none.
    roots = [r for r in ("api1", "api2", "trustgroup1") if data[r]["collections"]]
    assert [r.url for r in server.api_roots] == [f"{live}{r}/" for r in roots]
    for root in roots:
        listed = {
            c.id: (c.title, c.can_read, c.can_write)
            for c in ApiRoot(f"{live}{root}/", auth=auth).collections
        }
        expected = {
            c["id"]: (c["title"], c["can_read"], c["can_write"])
            for c in data[root]["collections"]
            if c["can_read"] or c["can_write"]
        }
        assert listed == expected
    for spec in data["trustgroup1"]["collections"]:
        if not spec["can_read"]:
            continue
        url = f"{live}trustgroup1/collections/{spec['id']}/"
        collection = Collection(url, auth=auth)
        pages = as_pages(collection.get_objects, per_request=3, version="all")
        served = [o for page in pages for o in page.get("objects", [])]
        assert sorted(map(canonical, served)) == sorted(map(canonical, spec.get("objects", [])))
        manifest = collection.get_manifest(version="all").get("objects", [])
        assert sorted((m["id"], m["version"]) for m in manifest) == sorted(
            (m["id"], m["version"]) for m in spec.get("manifest", [])
        )


def canonical(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True)
