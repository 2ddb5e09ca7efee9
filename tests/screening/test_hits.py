"""Screenings, hits and decisions: stored, suppressed by a standing false match, decided by
the owning agency only, and audited."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select, text

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.errors import InvalidInput, NotFound
from qalxan.screening import hits, lists, versions
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.query import Match, Query
from qalxan.screening.tables import DecisionRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import make_person

UN = "un-sc"


def person(source_id: str, name: str, birth: str = "1970-01-01", code: str = UN) -> ListEntry:
    entity = new_entity("Person", code, source_id)
    entity.add("name", name)
    entity.add("birthDate", birth)
    return ListEntry(code, source_id, entity)


def match(entry: ListEntry, score: float) -> Match:
    return Match(
        entity_id=entry.id,
        list_code=entry.list_code,
        source_id=entry.source_id,
        caption=entry.caption,
        schema=entry.schema,
        score=score,
        matched_name=entry.caption,
        features={"name": score, "birth_date": 0.05},
        explain="names alike; same birth date",
    )


def load(ctx: Context, entries: list[ListEntry], code: str = UN, name: str = "un.xml") -> int:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return versions.apply(ctx, code, entries, source_name=name, source_sha256=digest).version.id


A = person("QDi.001", "Aram Synthetic")
B = person("QDi.002", "Bora Example")
TRAVELLER = Query(key="pnr-1", names=("Aram  SYNTHETIC",), birth_dates=("1970-01-01",))


@dataclass
class Cast:
    border: Context
    neighbour: Context


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    lists.ensure_bundled(engine)

    def ctx(name: str, agency: str) -> Context:
        officer = make_person(engine, settings, name, agency, ["screening_officer"], with_key=False)
        return officer.ctx(engine, settings)

    cast = Cast(border=ctx("border", "agency-sbs"), neighbour=ctx("neighbour", "agency-mia"))
    load(cast.border, [A, B])
    return cast


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))


def test_a_run_stores_hits_at_or_above_the_threshold(cast: Cast, engine: Engine) -> None:
    run = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.91), match(B, 0.4)], 0.7)
    [hit] = run.hits
    assert (hit.entity_id, hit.status, hit.decision_id) == (A.id, "open", None)
    assert hit.entry_digest == A.digest() and hit.entry_caption == "Aram Synthetic"
    assert hit.features == {"name": 0.91, "birth_date": 0.05} and hit.explanation
    assert hit.owner_agency == "agency-sbs" and hit.classification == 0
    assert run.run.use == "border" and run.run.threshold == 0.7 and run.run.matches == 2
    assert run.run.content_version == versions.content_version(engine)
    assert run.subject.subject_key == hits.subject_key(TRAVELLER)
    [entry] = audits(engine, "screening.create")
    assert entry.outcome == "success" and entry.record_id == run.subject.id
    assert entry.detail["hits"] == [hit.id] and "names" not in entry.detail


def test_the_same_person_is_the_same_subject(cast: Cast) -> None:
    first = hits.record(cast.border, TRAVELLER, "border", [], 0.7)
    again = Query(key="pnr-2", names=("aram synthetic",), birth_dates=("1970-01-01",))
    second = hits.record(cast.border, again, "border", [], 0.7)
    assert second.subject.id == first.subject.id
    assert second.subject.query["key"] == "pnr-2"
    other = Query(key="pnr-3", names=("Aram Synthetic",), birth_dates=("1971",))
    assert hits.record(cast.border, other, "border", [], 0.7).subject.id != first.subject.id
    # Another agency's screening of the same person is that agency's own subject.
    theirs = hits.record(cast.neighbour, TRAVELLER, "border", [], 0.7)
    assert theirs.subject.id != first.subject.id


def test_a_false_match_stands_until_the_entry_changes(cast: Cast, engine: Engine) -> None:
    first = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.9)], 0.7)
    decision = hits.decide(cast.border, first.hits[0].id, "false_match", "Different father's name")
    [entry] = audits(engine, "screening.decide")
    assert entry.detail["disposition"] == "false_match" and entry.record_agency == "agency-sbs"
    # The same subject hits the same entry again: suppressed, still stored and visible.
    second = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.9)], 0.7)
    [suppressed] = second.hits
    assert (suppressed.status, suppressed.decision_id) == ("suppressed", decision.id)
    assert [i.hit.id for i in hits.review_queue(cast.border).rows] == []
    assert hits.get(cast.border, suppressed.id).hit.status == "suppressed"
    # The entry changes in a new version: the old decision no longer covers it.
    changed = person("QDi.001", "Aram Synthetic", birth="1970-05-05")
    load(cast.border, [changed, B], name="un-2.xml")
    with transaction(engine) as session:
        standing = hits.standing_false_match(
            session, hits.subject_key(TRAVELLER), "agency-sbs", A.id, changed.digest()
        )
    assert standing is None
    third = hits.record(cast.border, TRAVELLER, "border", [match(changed, 0.9)], 0.7)
    [reopened] = third.hits
    assert (reopened.status, reopened.entry_digest) == ("open", changed.digest())
    assert [i.hit.id for i in hits.review_queue(cast.border).rows] == [reopened.id]


def test_a_later_decision_supersedes(cast: Cast, engine: Engine) -> None:
    run = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.95)], 0.7)
    hit_id = run.hits[0].id
    hits.decide(cast.border, hit_id, "false_match", "Looked different at first sight")
    true = hits.decide(cast.border, hit_id, "true_match", "Passport number matches the listing")
    detail = hits.get(cast.border, hit_id)
    assert detail.hit.status == "true_match" and detail.hit.decision_id == true.id
    assert [d.disposition for d in detail.decisions] == ["false_match", "true_match"]
    assert detail.decisions[1].decided_by == "border" and detail.decisions[1].reason
    # The newest decision is a true match: nothing suppresses the next hit.
    again = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.95)], 0.7)
    assert again.hits[0].status == "open"
    dispositions = [a.detail["disposition"] for a in audits(engine, "screening.decide")]
    assert dispositions == ["false_match", "true_match"]
    assert [a.outcome for a in audits(engine, "screening.read")] == ["success"]


def test_another_agency_neither_sees_nor_decides(cast: Cast, engine: Engine) -> None:
    run = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.9)], 0.7)
    hit_id = run.hits[0].id
    assert hits.review_queue(cast.neighbour).rows == []
    with pytest.raises(NotFound):
        hits.get(cast.neighbour, hit_id)
    with pytest.raises(NotFound):
        hits.decide(cast.neighbour, hit_id, "false_match", "Not ours to decide")
    with transaction(engine) as session:
        assert list(session.scalars(select(DecisionRow))) == []
    [refused] = audits(engine, "screening.decide")
    assert refused.outcome == "denied"
    assert [i.hit.id for i in hits.review_queue(cast.border).rows] == [hit_id]


def test_decisions_need_a_reason_and_a_disposition(cast: Cast, engine: Engine) -> None:
    hit_id = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.9)], 0.7).hits[0].id
    for disposition, reason, field in [
        ("true_match", "  ", "reason"),
        ("true_match", "x" * 2001, "reason"),
        ("refused_entry", "Listed", "disposition"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            hits.decide(cast.border, hit_id, disposition, reason)
        assert caught.value.field == field
    with pytest.raises(NotFound):
        hits.decide(cast.border, "no-such-hit", "true_match", "Listed")
    assert hits.get(cast.border, hit_id).hit.status == "open"


def test_runs_refuse_bad_input(cast: Cast, engine: Engine) -> None:
    ofac = person("1234", "Ofac Synthetic", code="ofac-sdn")
    load(cast.border, [ofac], code="ofac-sdn", name="sdn.xml")
    cases = [
        ("harbour", [match(A, 0.9)], 0.7, "use"),
        ("border", [match(A, 0.9)], 1.5, "threshold"),
        ("border", [match(ofac, 0.9)], 0.7, "matches"),  # a US list: not for the border
        ("border", [match(person("QDi.999", "Nobody"), 0.9)], 0.7, "matches"),
    ]
    for use, found, threshold, field in cases:
        with pytest.raises(InvalidInput) as caught:
            hits.record(cast.border, TRAVELLER, use, found, threshold)
        assert caught.value.field == field
    assert [a.outcome for a in audits(engine, "screening.create")] == ["invalid"] * 4
    fiu = hits.record(cast.border, TRAVELLER, "fiu", [match(ofac, 0.9)], 0.7)
    assert [h.list_code for h in fiu.hits] == ["ofac-sdn"]


def test_a_removed_entry_is_not_a_hit(cast: Cast) -> None:
    load(cast.border, [B], name="un-2.xml")
    run = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.9)], 0.7)
    assert run.hits == []


def test_the_queue_pages_newest_first(cast: Cast, engine: Engine) -> None:
    names = ["Aram Synthetic", "Bora Example", "Cemil Placeholder"]
    made = [
        hits.record(cast.border, Query(key=n, names=(n,)), "border", [match(A, 0.8)], 0.7)
        for n in names
    ]
    first = hits.review_queue(cast.border, limit=2)
    assert len(first.rows) == 2 and first.next is not None
    second = hits.review_queue(cast.border, use="border", limit=2, cursor=first.next)
    assert second.next is None
    seen = [i.hit.id for i in first.rows + second.rows]
    assert sorted(seen) == sorted(r.hits[0].id for r in made)
    assert {i.subject_caption for i in first.rows + second.rows} == set(names)
    assert hits.review_queue(cast.border, use="fiu").rows == []
    assert [a.detail["count"] for a in audits(engine, "screening.list")] == [2, 1, 0]


def test_subjects_to_rescreen_after_a_new_version(cast: Cast, engine: Engine) -> None:
    run = hits.record(cast.border, TRAVELLER, "border", [], 0.7)
    assert list(hits.subjects_to_rescreen(engine, [run.run.version_id or 0])) == []
    newer = load(cast.border, [A, B, person("QDi.003", "Cemil Placeholder")], name="un-2.xml")
    [(subject, query)] = list(hits.subjects_to_rescreen(engine, [newer]))
    assert subject.id == run.subject.id and subject.last_use == "border"
    assert hits.subject_key(query) == run.subject.subject_key and query.key == "pnr-1"
    hits.record(cast.border, query, subject.last_use, [], 0.7)
    assert list(hits.subjects_to_rescreen(engine, [newer])) == []


def test_a_run_from_a_stale_index_stays_due(cast: Cast, engine: Engine) -> None:
    token = versions.content_version(engine)
    newer = load(cast.border, [A, B, person("QDi.003", "Cemil Placeholder")], name="un-2.xml")
    run = hits.record(cast.border, TRAVELLER, "border", [], 0.7, content_version=token)
    assert run.run.content_version == token and run.run.version_id == newer - 1
    [(subject, _)] = list(hits.subjects_to_rescreen(engine, [newer]))
    assert subject.id == run.subject.id
    with pytest.raises(InvalidInput) as caught:
        hits.record(cast.border, TRAVELLER, "border", [], 0.7, content_version="nonsense")
    assert caught.value.field == "content_version"


def test_decisions_are_never_edited(cast: Cast, engine: Engine) -> None:
    hit_id = hits.record(cast.border, TRAVELLER, "border", [match(A, 0.9)], 0.7).hits[0].id
    hits.decide(cast.border, hit_id, "true_match", "Passport number matches the listing")
    for statement in (
        "UPDATE screening_decisions SET reason = 'x'",
        "DELETE FROM screening_decisions",
    ):
        with engine.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(statement))
