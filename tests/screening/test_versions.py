"""List versions: what an import adds, removes and changes; stored once, in one transaction."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import Engine, Table, func, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.errors import Forbidden, InvalidInput
from qalxan.screening import lists, versions
from qalxan.screening.lists import ListSpec
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.tables import EntryChangeRow, EntryRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.store.rows import insert_rows
from tests.people import make_person

UN = "un-sc"


def person(source_id: str, name: str, birth: str = "1970-01-01", code: str = UN) -> ListEntry:
    entity = new_entity("Person", code, source_id)
    entity.add("name", name)
    entity.add("birthDate", birth)
    return ListEntry(code, source_id, entity, where=f"entry {source_id}")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def ctx(engine: Engine, settings: Settings) -> Context:
    lists.ensure_bundled(engine)
    officer = make_person(
        engine, settings, "screener", "agency-sbs", ["screening_officer"], with_key=False
    )
    return officer.ctx(engine, settings)


def apply(ctx: Context, entries: list[ListEntry], name: str = "un.xml") -> versions.VersionOutcome:
    return versions.apply(ctx, UN, entries, source_name=name, source_sha256=sha(name))


def count(engine: Engine, model: Any) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))


A, B, C = (
    person("QDi.001", "Aram Synthetic"),
    person("QDi.002", "Bora Example"),
    person("QDi.003", "Cemil Placeholder"),
)


def test_first_version_adds_every_entry(ctx: Context, engine: Engine) -> None:
    outcome = apply(ctx, [A, B, C])
    version = outcome.version
    assert not outcome.unchanged
    assert (version.number, version.added, version.removed, version.changed) == (1, 3, 0, 0)
    assert version.source_name == "un.xml" and version.source_sha256 == sha("un.xml")
    assert version.imported_by == "screener"
    changes = versions.changed_since(engine, UN, 0)
    assert {(c.entity_id, c.kind, c.old_digest) for c in changes} == {
        (A.id, "added", None),
        (B.id, "added", None),
        (C.id, "added", None),
    }
    stored = versions.entry(engine, A.id)
    assert stored is not None and stored.digest == A.digest()
    assert stored.entry.data() == A.data() and stored.entry.caption == "Aram Synthetic"
    assert (stored.first_version, stored.last_changed_version, stored.removed_in_version) == (
        1,
        1,
        None,
    )
    [entry] = audits(engine, "screening_list.import")
    assert entry.outcome == "success" and entry.record_id == UN
    assert entry.detail["added"] == 3 and entry.detail["version"] == 1


def test_the_same_content_again_stores_no_version(ctx: Context, engine: Engine) -> None:
    first = apply(ctx, [A, B, C])
    token = versions.content_version(engine)
    again = apply(ctx, [C, B, A], name="un-downloaded-again.xml")
    assert again.unchanged and again.version == first.version
    assert [v.number for v in versions.history(engine, UN)] == [1]
    assert versions.content_version(engine) == token
    assert count(engine, EntryChangeRow) == 3
    assert [a.detail["new_version"] for a in audits(engine, "screening_list.import")] == [
        True,
        False,
    ]


def test_a_new_version_adds_removes_and_changes(ctx: Context, engine: Engine) -> None:
    apply(ctx, [A, B, C])
    token = versions.content_version(engine)
    changed_b = person("QDi.002", "Bora Example", birth="1971-02-03")
    d = person("QDi.004", "Dilan Sample")
    outcome = apply(ctx, [A, changed_b, d], name="un-2.xml")
    version = outcome.version
    assert (version.number, version.added, version.removed, version.changed) == (2, 1, 1, 1)
    assert version.unchanged == 1
    assert versions.content_version(engine) != token
    changes = versions.changed_since(engine, UN, 1)
    assert [(c.version, c.entity_id, c.kind) for c in changes] == [
        (2, d.id, "added"),
        (2, B.id, "changed"),
        (2, C.id, "removed"),
    ]
    by_id = {c.entity_id: c for c in changes}
    assert (by_id[B.id].old_digest, by_id[B.id].new_digest) == (B.digest(), changed_b.digest())
    assert (by_id[C.id].old_digest, by_id[C.id].new_digest) == (C.digest(), None)
    # The removed entry is kept, marked with the version that removed it.
    removed = versions.entry(engine, C.id)
    assert removed is not None and removed.removed_in_version == 2
    assert {e.id for e in versions.current_entries(engine)} == {A.id, B.id, d.id}
    current_b = versions.entry(engine, B.id)
    assert current_b is not None and current_b.digest == changed_b.digest()
    assert (current_b.first_version, current_b.last_changed_version) == (1, 2)
    assert [v.number for v in versions.history(engine, UN)] == [2, 1]
    # Back on the list: added again, with the digest it had when it was removed.
    third = apply(ctx, [A, changed_b, d, C], name="un-3.xml")
    assert (third.version.number, third.version.added) == (3, 1)
    [back] = versions.changed_since(engine, UN, 2)
    assert (back.entity_id, back.kind, back.old_digest) == (C.id, "added", C.digest())
    assert {e.id for e in versions.current_entries(engine, [UN])} == {A.id, B.id, C.id, d.id}
    assert list(versions.current_entries(engine, ["ofac-sdn"])) == []


def test_a_failed_import_leaves_nothing(
    ctx: Context, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dies_half_way(session: Any, table: Table, rows: Any) -> None:
        insert_rows(session, table, rows)
        if table.name == "screening_entry_changes":
            raise RuntimeError("the process died")

    monkeypatch.setattr(versions, "insert_rows", dies_half_way)
    with pytest.raises(RuntimeError):
        apply(ctx, [A, B, C])
    assert versions.history(engine, UN) == []
    assert count(engine, EntryRow) == 0 and count(engine, EntryChangeRow) == 0
    assert [a.outcome for a in audits(engine, "screening_list.import")] == ["error"]
    monkeypatch.setattr(versions, "insert_rows", insert_rows)
    assert apply(ctx, [A, B, C]).version.number == 1
    assert count(engine, EntryRow) == 3 and count(engine, EntryChangeRow) == 3


def test_large_lists_are_written_in_chunks(ctx: Context, engine: Engine) -> None:
    many = [person(f"QDi.{i:05d}", f"Synthetic Person {i}") for i in range(2_500)]
    assert apply(ctx, many).version.added == 2_500
    changed = [person(f"QDi.{i:05d}", f"Synthetic Person {i}", "1980") for i in range(1, 2_500)]
    version = apply(ctx, changed, name="un-2.xml").version
    assert (version.changed, version.removed, version.unchanged) == (2_499, 1, 0)
    assert sum(1 for _ in versions.current_entries(engine)) == 2_499


def test_imports_refuse_bad_input(ctx: Context, engine: Engine) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"list_code": "az-unknown"}, "list"),
        ({"entries": []}, "entries"),
        ({"entries": [A, A]}, "entries"),
        ({"entries": [person("X.1", "Elsewhere", code="ofac-sdn")]}, "entries"),
        ({"entries": [person("Q" * 250, "Too Long")]}, "entries"),
        ({"source_sha256": "not a hash"}, "source_sha256"),
        ({"source_name": " "}, "source_name"),
    ]
    for change, field in cases:
        arguments: dict[str, Any] = {
            "list_code": UN,
            "entries": [A],
            "source_name": "un.xml",
            "source_sha256": sha("un.xml"),
            **change,
        }
        with pytest.raises(InvalidInput) as caught:
            versions.apply(ctx, **arguments)
        assert caught.value.field == field, change
    with pytest.raises(InvalidInput, match="'az-unknown' is not declared; declare it first"):
        versions.apply(ctx, "az-unknown", [A], source_name="x", source_sha256=sha("x"))
    assert versions.history(engine, UN) == []


def test_only_the_declaring_agency_imports_its_list(
    ctx: Context, engine: Engine, settings: Settings
) -> None:
    spec = ListSpec("az-national", "National list", "State Border Service", "A national law.")
    lists.declare(ctx, spec)
    other = make_person(
        engine, settings, "other", "agency-mia", ["screening_officer"], with_key=False
    ).ctx(engine, settings)
    entry = person("N-1", "Nadir Synthetic", code="az-national")
    with pytest.raises(Forbidden):
        versions.apply(other, "az-national", [entry], source_name="n", source_sha256=sha("n"))
    analyst = make_person(engine, settings, "analyst", "agency-sbs", ["analyst"], with_key=False)
    with pytest.raises(Forbidden):
        apply(analyst.ctx(engine, settings), [A])
    outcome = versions.apply(ctx, "az-national", [entry], source_name="n", source_sha256=sha("n"))
    assert outcome.version.number == 1
