"""Versions in the database: idempotent loads, activation, diff, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from qalxan.doctrine.demo import review_draft
from qalxan.doctrine.diff import diff
from qalxan.doctrine.loader import load_bundled, load_document
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.versions import (
    DoctrineCache,
    activate,
    active_version_id,
    install,
    list_versions,
    resolve_version,
    store_version,
)
from qalxan.errors import Conflict, NotFound
from qalxan.store.engine import transaction
from qalxan.store.tables import DoctrineItemRow, DoctrineRelationRow, DoctrineVersionRow


def count(engine: Engine, table: type) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_bootstrap_installs_the_bundled_version(engine: Engine, doctrine: Doctrine) -> None:
    with transaction(engine) as session:
        (info,) = list_versions(session)
        assert info.active and info.version == doctrine.version
        active = DoctrineCache().active(session)
    assert active.digest == doctrine.digest
    assert count(engine, DoctrineItemRow) == len(doctrine.items)
    assert count(engine, DoctrineRelationRow) == len(doctrine.relations)


def test_loading_twice_stores_once(engine: Engine, doctrine: Doctrine) -> None:
    for _ in range(2):
        with transaction(engine) as session:
            _, created = store_version(session, load_bundled(), "again", "tester")
            assert not created
    assert count(engine, DoctrineVersionRow) == 1
    assert count(engine, DoctrineItemRow) == len(doctrine.items)


def test_new_version_keeps_the_old_one(engine: Engine, doctrine: Doctrine) -> None:
    draft = review_draft(doctrine)
    with transaction(engine) as session:
        new_id, created = store_version(session, draft, "review", "tester")
        assert created
        assert active_version_id(session) != new_id
        activate(session, new_id, "tester")
    with transaction(engine) as session:
        versions = list_versions(session)
        assert [v.version for v in versions] == [doctrine.version, draft.version]
        assert versions[1].active
        assert DoctrineCache().active(session).digest == draft.digest
        old = DoctrineCache().get(session, resolve_version(session, doctrine.version))
    assert old.digest == doctrine.digest


def test_same_label_other_content_is_refused(engine: Engine, doctrine: Doctrine) -> None:
    document = doctrine.to_document()
    document["threats"][0]["summary"] = {"en": "changed"}
    changed = load_document(document)
    with transaction(engine) as session, pytest.raises(Conflict, match="already loaded"):
        store_version(session, changed, "edited", "tester")
    assert count(engine, DoctrineVersionRow) == 1


def test_bundled_update_is_relabelled_and_put_in_force(engine: Engine, doctrine: Doctrine) -> None:
    document = doctrine.to_document()
    document["threats"][0]["summary"] = {"en": "a release changed this"}
    with transaction(engine) as session:
        version_id = install(session, load_document(document), "bundled", "system")
    with transaction(engine) as session:
        assert active_version_id(session) == version_id
        labels = [v.version for v in list_versions(session)]
    assert labels[0] == doctrine.version and labels[1].startswith(doctrine.version + "+")


def test_operator_choice_survives_a_bundled_update(engine: Engine, doctrine: Doctrine) -> None:
    draft = review_draft(doctrine)
    with transaction(engine) as session:
        chosen, _ = store_version(session, draft, "/srv/doctrine", "operator")
        activate(session, chosen, "operator")
    document = doctrine.to_document()
    document["threats"][0]["summary"] = {"en": "a release changed this"}
    with transaction(engine) as session:
        install(session, load_document(document), "bundled", "system")
        assert active_version_id(session) == chosen


def test_unknown_version(engine: Engine) -> None:
    with transaction(engine) as session, pytest.raises(NotFound):
        resolve_version(session, "1999")


def test_diff_names_what_changed(doctrine: Doctrine) -> None:
    draft = review_draft(doctrine)
    changes = diff(doctrine, draft)
    assert [a["id"] for a in changes.added] == ["threat-3-12-demo"]
    assert changes.removed == []
    assert [c.id for c in changes.changed] == [doctrine.of_kind("threat")[0].id]
    assert changes.changed[0].fields == ["summary"]
    assert changes.relations_added == ["countered_by:threat-3-12-demo->direction-4-3-11"]
    back = diff(draft, doctrine)
    assert [r["id"] for r in back.removed] == ["threat-3-12-demo"]
    assert diff(doctrine, doctrine).empty


def test_cache_refreshes_the_version_in_force(engine: Engine, doctrine: Doctrine) -> None:
    slow, eager = DoctrineCache(refresh_seconds=3600), DoctrineCache(refresh_seconds=0)
    assert slow.current(engine).digest == eager.current(engine).digest == doctrine.digest
    draft = review_draft(doctrine)
    with transaction(engine) as session:
        version_id, _ = store_version(session, draft, "review", "tester")
        activate(session, version_id, "tester")
    assert slow.current(engine).digest == doctrine.digest  # until its refresh is due
    assert eager.current(engine).digest == draft.digest
