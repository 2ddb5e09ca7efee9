"""Search in the core: free text found in values (never in property names, wildcards taken
literally) and the collection filter, with the collection's rights."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from qalxan.access.audit import Context
from qalxan.cti import collections, ingest, objects
from qalxan.cti.objects import Query
from qalxan.doctrine.loader import load_bundled
from qalxan.errors import Forbidden, InvalidInput
from qalxan.settings import Settings
from tests.cti.stix_support import (
    GREEN,
    SBS,
    Cast,
    audits,
    indicator,
    make_cast,
    sdo,
)
from tests.people import make_person

MIA = "agency-mia"


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def found(ctx: Context, **query: Any) -> list[str]:
    return sorted(row.stix_id for row in objects.search(ctx, Query(**query)).rows)


LOADER = sdo(
    "malware",
    "loader",
    "Snake_case loader",
    is_family=True,
    description='Beacons 50% of the time from C:\\Temp\\x.exe, "quoted" in the report.',
    labels=["Pattern-of-life", "Bakı-Şəki\nline"],
    external_references=[{"source_name": "partner", "external_id": "PX-0042"}],
    object_marking_refs=[GREEN],
)
BEACON = indicator("beacon")  # has "pattern", "pattern_type", "valid_from", "spec_version" keys


def test_free_text_is_found_in_values_not_in_property_names(cast: Cast) -> None:
    ingest.import_objects(cast.cert, [LOADER, BEACON])
    loader, beacon = LOADER["id"], BEACON["id"]
    # Property names of both objects: found in neither.
    for key in ("pattern_type", "spec_version", "valid_from", "is_family", "external_id"):
        assert found(cast.cert, text=key) == [], key
    # "pattern" is a key of the indicator and only a value (a label) of the malware.
    assert found(cast.cert, text="pattern") == [loader]
    # Wildcards and escapes are literal.
    assert found(cast.cert, text="_") == [loader]
    assert found(cast.cert, text="%") == [loader]
    assert found(cast.cert, text="50%") == [loader]
    assert found(cast.cert, text="c:\\temp\\x") == [loader]  # backslashes, case ignored
    assert found(cast.cert, text='"quoted"') == [loader]  # quotes, stored escaped in the JSON
    assert found(cast.cert, text="e\\_c") == []  # a backslash, then "_": not an escaped "_"
    # Values at any depth: an array of strings, an object in an array.
    assert found(cast.cert, text="MALICIOUS-ACTIVITY") == [beacon]
    assert found(cast.cert, text="px-0042") == [loader]
    # Beyond ASCII, and a control character (escaped in the stored JSON).
    assert found(cast.cert, text="Bakı-Şəki") == [loader]
    assert found(cast.cert, text="Şəki\nline") == [loader]
    postgresql = cast.cert.trail.engine.dialect.name == "postgresql"
    assert found(cast.cert, text="bakı-şəki") == ([loader] if postgresql else [])  # see docs
    # The pattern is a value like any other, and the name column still counts.
    assert found(cast.cert, text="ipv4-addr:value") == [beacon]
    assert found(cast.cert, text="c2 server") == [beacon]
    [record] = [a for a in audits(cast.cert.trail.engine, "cti.search") if a.detail["text"] == "_"]
    assert record.detail["ids"] == [loader]


def collection(cast: Cast, alias: str) -> str:
    return collections.create(cast.cert, api_root="cert", title=alias.title(), alias=alias).id


def test_the_collection_filter_by_id_or_alias(engine: Engine, cast: Cast) -> None:
    energy = collection(cast, "energy")
    water = collection(cast, "water")
    ingest.import_objects(cast.cert, [LOADER, BEACON], collection="energy")
    other = indicator("other", value="203.0.113.50")
    ingest.import_objects(cast.cert, [other], collection=water)
    assert found(cast.cert, collection=energy) == sorted([LOADER["id"], BEACON["id"]])
    assert found(cast.cert, collection="energy") == found(cast.cert, collection=energy)
    assert found(cast.cert, collection=energy, types=("indicator",)) == [BEACON["id"]]
    assert found(cast.cert, collection=water) == [other["id"]]
    assert found(cast.cert) == sorted([LOADER["id"], BEACON["id"], other["id"]])
    # The newest version is what is searched: a newer one outside the collection takes the
    # object out of the filtered search, while every version keeps its membership.
    newer = {**BEACON, "modified": "2024-04-01T00:00:00.000Z"}
    ingest.import_objects(cast.cert, [newer])
    assert found(cast.cert, collection=energy) == [LOADER["id"]]
    assert len(objects.search(cast.cert, Query(collection=energy, all_versions=True)).rows) == 2
    [record] = [a for a in audits(engine, "cti.search") if a.detail["collection"] == water]
    assert record.detail["ids"] == [other["id"]]


def test_a_collection_out_of_reach_answers_like_a_missing_one(
    engine: Engine, settings: Settings, cast: Cast
) -> None:
    energy = collection(cast, "energy")
    ingest.import_objects(cast.cert, [LOADER], collection=energy)
    answers = []
    for ref in (energy, "energy", "no-such-collection"):
        with pytest.raises(InvalidInput) as refused:
            objects.search(cast.neighbour, Query(collection=ref))
        assert refused.value.field == "collection"
        answers.append(refused.value.message.replace(repr(ref), "REF"))
    assert len(set(answers)) == 1
    # Granted: the reader finds the collection's objects (as the record policy lets them).
    doctrine = load_bundled()
    collections.grant(cast.cert, doctrine, energy, SBS, read=True, write=False)
    assert found(cast.neighbour, collection="energy") == [LOADER["id"]]
    # A writer that may not read it knows it exists (it writes to it): 403, not 404.
    writer = make_person(engine, settings, "mia.cert", MIA, ["cert_analyst"], with_key=False)
    collections.grant(cast.cert, doctrine, energy, MIA, read=False, write=True)
    with pytest.raises(Forbidden):
        objects.search(writer.ctx(engine, settings), Query(collection=energy))
    with pytest.raises(InvalidInput):
        objects.search(cast.cert, Query(collection="x" * 201))
