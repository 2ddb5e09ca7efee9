"""Screenings, hits and the officers' decisions on them.

A hit is a lead for a human decision, never an automatic refusal: :func:`record` stores what
the matcher found at or above the threshold, and an officer decides each hit with
:func:`decide`. Subjects and hits are protected records (record type ``screening``) owned by
the screening agency, so need-to-know, classification and the audit trail work as for every
other record; a hit the caller may not see is answered like one that does not exist.

A false match is remembered for that subject and that listed entity while the entry keeps the
content it had when decided (:func:`standing_false_match`): later hits on it are stored as
``suppressed``, still visible to the officer and to oversight, and open again once the list
entry changes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import Engine, Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.errors import InvalidInput, required_text
from qalxan.intake import paging
from qalxan.screening import lists, versions
from qalxan.screening.query import Match, Query
from qalxan.screening.tables import DecisionRow, EntryRow, HitRow, ListRow, RunRow, SubjectRow
from qalxan.store.ids import new_id

RECORD_TYPE = HitRow.record_type
OPEN, SUPPRESSED = "open", "suppressed"
Disposition = Literal["true_match", "false_match"]
DISPOSITIONS: tuple[Disposition, ...] = ("true_match", "false_match")
MAX_REASON = 2000
STREAM = 500


def subject_key(query: Query) -> str:
    """The hash of the query's canonical form: schema, names casefolded with whitespace
    collapsed, birth dates, nationalities and identifiers, each sorted and without repeats.
    The client's own key is left out: the same person screened twice is the same subject."""
    canonical = {
        "schema": query.schema,
        "names": sorted({" ".join(n.casefold().split()) for n in query.names}),
        "birth_dates": sorted({d.strip() for d in query.birth_dates if d.strip()}),
        "nationalities": sorted({n.strip().lower() for n in query.nationalities if n.strip()}),
        "identifiers": sorted(
            {"".join(c for c in i.upper() if c.isalnum()) for i in query.identifiers} - {""}
        ),
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def query_of(data: dict[str, Any]) -> Query:
    """A stored query read back (the inverse of :meth:`Query.as_dict`)."""
    return Query(
        key=data["key"],
        names=tuple(data["names"]),
        schema=data["schema"],
        birth_dates=tuple(data.get("birth_dates", ())),
        nationalities=tuple(data.get("nationalities", ())),
        gender=data.get("gender"),
        identifiers=tuple(data.get("identifiers", ())),
    )


@dataclass(frozen=True)
class Run:
    run: RunRow
    subject: SubjectRow
    hits: list[HitRow]


def record(
    ctx: audit.Context,
    query: Query,
    use: str,
    matches: Sequence[Match],
    threshold: float,
    *,
    classification: str | None = None,
    content_version: str | None = None,
) -> Run:
    """Store a screening of ``query`` for ``use`` (``screening.create``): the subject, the run
    and a hit per match at or above ``threshold`` (the best per entity). A match from a list
    that may not serve ``use`` is refused; one on an entry removed since the index was built
    is not a hit (counted as ``stale``). Classification defaults to the lowest level.

    ``content_version`` is the token of the index the matches came from
    (:func:`versions.content_version` when it was built); without it, the lists as stored now.
    It decides which later versions the subject must still be screened against.
    """
    run_id = new_id()
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE) as rec:
        session, principal = rec.session, ctx.principal
        policy.require(principal, RECORD_TYPE, "create")
        lists.check_use(use)
        if not (math.isfinite(threshold) and 0.0 <= threshold <= 1.0):
            raise InvalidInput("threshold: a number between 0 and 1", "threshold")
        rank = (
            scheme().classification(classification).rank
            if classification is not None
            else min(c.rank for c in scheme().classifications)
        )
        owner = policy.check_create(principal, RECORD_TYPE, None, rank)
        rec.entry.record_agency = owner
        if content_version is None:
            token, newest = versions.content_state(session)
        else:
            token, newest = content_version, versions.newest_in(content_version)
        subject = _subject(session, owner, query, use, rank, newest)
        rec.entry.record_id = subject.id
        run = RunRow(
            id=run_id,
            subject_id=subject.id,
            agency=owner,
            use=use,
            threshold=threshold,
            content_version=token,
            version_id=newest,
            matches=len(matches),
            screened_by=principal.username[:200],
            screened_by_id=principal.user_id,
            screened_at=datetime.now(UTC),
        )
        session.add(run)
        session.flush()
        hits, stale = _hits(session, run, subject, _best(matches, threshold), rank)
        session.add_all(hits)
        rec.entry.detail = {
            "run": run_id,
            "use": use,
            "threshold": threshold,
            "content_version": token,
            "hits": [h.id for h in hits],
            "suppressed": sum(h.status == SUPPRESSED for h in hits),
            "stale": stale,
        }
    return Run(run, subject, hits)


def _best(matches: Sequence[Match], threshold: float) -> list[Match]:
    best: dict[str, Match] = {}
    for match in matches:
        if match.score >= threshold and (
            match.entity_id not in best or match.score > best[match.entity_id].score
        ):
            best[match.entity_id] = match
    return list(best.values())


def _subject(
    session: Session, owner: str, query: Query, use: str, rank: int, newest: int | None
) -> SubjectRow:
    """The agency's subject for ``query``, created on its first screening."""
    key, now = subject_key(query), datetime.now(UTC)
    found = select(SubjectRow).where(
        SubjectRow.owner_agency == owner, SubjectRow.subject_key == key
    )
    row = session.scalars(found).first()
    if row is None:
        row = SubjectRow(id=new_id(), owner_agency=owner, classification=rank, subject_key=key)
        row.first_screened_at = now
        _describe(row, query, use, newest, now)
        try:
            with session.begin_nested():  # another screening of the same person may win
                session.add(row)
        except IntegrityError:
            row = session.scalars(found).one()
        else:
            return row
    row.classification = max(row.classification, rank)
    _describe(row, query, use, newest, now)
    return row


def _describe(row: SubjectRow, query: Query, use: str, newest: int | None, now: datetime) -> None:
    row.schema, row.caption, row.query = query.schema, query.names[0][:300], query.as_dict()
    row.last_use, row.last_version_id, row.last_screened_at = use, newest, now


def _hits(
    session: Session, run: RunRow, subject: SubjectRow, matches: list[Match], rank: int
) -> tuple[list[HitRow], int]:
    ids = [m.entity_id for m in matches]
    entries = {e.id: e for e in session.scalars(select(EntryRow).where(EntryRow.id.in_(ids)))}
    codes = {e.list_code for e in entries.values()}
    uses = {r.code: r.uses for r in session.scalars(select(ListRow).where(ListRow.code.in_(codes)))}
    hits, stale = [], 0
    for match in matches:
        entry = entries.get(match.entity_id)
        if entry is None or entry.list_code != match.list_code:
            raise InvalidInput(
                f"matches: {match.entity_id!r} is not an entry of the list {match.list_code!r}",
                "matches",
            )
        if run.use not in uses[entry.list_code]:
            raise InvalidInput(
                f"matches: the list {entry.list_code!r} may not be screened against for "
                f"{run.use!r} (its legal basis does not cover it)",
                "matches",
            )
        if entry.removed_in_version is not None:
            stale += 1
            continue
        standing = standing_false_match(
            session, subject.subject_key, subject.owner_agency, entry.id, entry.digest
        )
        hits.append(
            HitRow(
                id=new_id(),
                owner_agency=subject.owner_agency,
                # A hit shows the subject: it is marked as high as the subject ever was.
                classification=max(rank, subject.classification),
                run_id=run.id,
                subject_id=subject.id,
                entity_id=entry.id,
                list_code=entry.list_code,
                entry_caption=entry.caption,
                entry_digest=entry.digest,
                matched_name=match.matched_name[:300],
                score=float(match.score),
                features=dict(match.features),
                explanation=match.explanation,
                status=SUPPRESSED if standing is not None else OPEN,
                decision_id=standing,
                created_at=run.screened_at,
            )
        )
    return hits, stale


def standing_false_match(
    session: Session, subject_key: str, agency: str, entity_id: str, digest: str
) -> int | None:
    """The id of the agency's newest decision on this subject and entity if it is a false
    match taken on the entry as it is now (``digest``); None otherwise."""
    newest = session.execute(
        select(DecisionRow.id, DecisionRow.disposition, DecisionRow.entry_digest)
        .join(SubjectRow, SubjectRow.id == DecisionRow.subject_id)
        .where(
            SubjectRow.subject_key == subject_key,
            SubjectRow.owner_agency == agency,
            DecisionRow.entity_id == entity_id,
        )
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()
    if newest is None or newest.disposition != "false_match" or newest.entry_digest != digest:
        return None
    return int(newest.id)


def decide(ctx: audit.Context, hit_id: str, disposition: str, reason: str) -> DecisionRow:
    """Record an officer's decision on a hit (``screening.decide``, detail ``disposition``).

    A true match records the officer's decision and nothing more: what follows (a secondary
    inspection, a report) is for the officer and their procedures, never automatic. A later
    decision on the same hit supersedes this one as a new row; the hit's status follows the
    newest. Needs ``screening:decide`` on a hit of the caller's agency.
    """
    with audit.recorded(ctx, f"{RECORD_TYPE}.decide", RECORD_TYPE, hit_id) as rec:
        rec.entry.detail = {"disposition": disposition}
        if disposition not in DISPOSITIONS:
            raise InvalidInput(f"disposition: one of {', '.join(DISPOSITIONS)}", "disposition")
        text = required_text(reason, "reason", MAX_REASON, "required: why the hit is decided so")
        hit: HitRow = policy.load(rec.session, ctx.principal, HitRow, hit_id, "decide")
        rec.entry.record_agency = hit.owner_agency
        row = DecisionRow(
            hit_id=hit.id,
            subject_id=hit.subject_id,
            entity_id=hit.entity_id,
            entry_digest=hit.entry_digest,
            disposition=disposition,
            reason=text,
            agency=hit.owner_agency,
            decided_by=ctx.principal.username[:200],
            decided_by_id=ctx.principal.user_id,
            decided_at=datetime.now(UTC),
        )
        rec.session.add(row)
        rec.session.flush()
        previous, hit.status, hit.decision_id = hit.status, disposition, row.id
        rec.entry.detail = {"disposition": disposition, "decision": row.id, "previous": previous}
    return row


@dataclass(frozen=True)
class QueueItem:
    hit: HitRow
    subject_caption: str
    use: str


def review_queue(
    ctx: audit.Context, use: str | None = None, limit: int = 50, cursor: str | None = None
) -> paging.Page[QueueItem]:
    """The open hits the caller may see, newest first (``screening.list``)."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.list", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        query = (
            select(HitRow, SubjectRow.caption, RunRow.use)
            .join(SubjectRow, SubjectRow.id == HitRow.subject_id)
            .join(RunRow, RunRow.id == HitRow.run_id)
            .where(HitRow.status == OPEN, policy.visible(ctx.principal, HitRow))
        )
        if use is not None:
            query = query.where(RunRow.use == lists.check_use(use))
        paged = paging.after(
            cast("Select[Any]", query), HitRow.created_at, HitRow.id, cursor, limit
        )
        items = [QueueItem(h, c, u) for h, c, u in rec.session.execute(paged)]
        found = paging.page(items, limit, lambda i: i.hit.created_at, lambda i: i.hit.id)
        rec.entry.detail = {"count": len(found.rows), "ids": [i.hit.id for i in found.rows]}
    return found


@dataclass(frozen=True)
class HitDetail:
    hit: HitRow
    subject: SubjectRow
    run: RunRow
    decisions: list[DecisionRow]


def get(ctx: audit.Context, hit_id: str) -> HitDetail:
    """One hit with its subject, its run and every decision on it, oldest first."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, hit_id) as rec:
        session = rec.session
        hit: HitRow = policy.load(session, ctx.principal, HitRow, hit_id)
        rec.entry.record_agency = hit.owner_agency
        decisions = session.scalars(
            select(DecisionRow).where(DecisionRow.hit_id == hit.id).order_by(DecisionRow.id)
        )
        subject = session.get_one(SubjectRow, hit.subject_id)
        return HitDetail(hit, subject, session.get_one(RunRow, hit.run_id), list(decisions))


@dataclass(frozen=True)
class StoredSubject:
    id: str
    owner_agency: str
    subject_key: str
    last_use: str
    last_version_id: int | None


def subjects_to_rescreen(
    engine: Engine, since_version_ids: Iterable[int]
) -> Iterator[tuple[StoredSubject, Query]]:
    """Every stored subject not yet screened against the newest of ``since_version_ids`` (the
    list versions whose added and changed entries the caller screens them against), with the
    query to screen again. Streamed; the caller records each new run with :func:`record` as
    the subject's agency, which audits it."""
    newest = max(since_version_ids, default=None)
    if newest is None:
        return
    s = SubjectRow
    query = (
        select(s.id, s.owner_agency, s.subject_key, s.last_use, s.last_version_id, s.query)
        .where(or_(s.last_version_id.is_(None), s.last_version_id < newest))
        .order_by(s.id)
    )
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=STREAM).execute(query):
            stored = StoredSubject(
                row.id, row.owner_agency, row.subject_key, row.last_use, row.last_version_id
            )
            yield stored, query_of(row.query)
