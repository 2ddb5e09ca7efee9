"""Screening as the web and the command line call it: screen one party, search the lists,
import a list version, and screen the stored subjects again against what a version changed.

Each function checks the caller's permission through the policy and is audited: a screening
by :func:`hits.record` (``screening.create``), a search as ``screening.search``, an import by
:func:`versions.apply` (``screening_list.import``). A refused attempt is audited too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, func, select

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.errors import InvalidInput, QalxanError
from qalxan.screening import hits, importers, lists, thresholds, versions
from qalxan.screening.holder import IndexHolder
from qalxan.screening.query import Match, Query
from qalxan.screening.tables import EntryRow, SubjectRow
from qalxan.screening.versions import ListVersion, VersionOutcome
from qalxan.store.engine import transaction

RECORD_TYPE = hits.RECORD_TYPE
MAX_TOP = 100
RESCREEN_ACTOR = "system:rescreen"
Status = Callable[[str], None]


@dataclass(frozen=True)
class Result:
    """One match of a screening. ``alert``: at or above the threshold, so a hit was stored
    (``hit_id``) with ``status`` ``open``, or ``suppressed`` by a standing false match."""

    match: Match
    alert: bool
    status: str | None = None
    hit_id: str | None = None


@dataclass(frozen=True)
class Screening:
    run_id: str
    subject_id: str
    use: str
    threshold: float
    content_version: str
    results: list[Result]

    @property
    def alerts(self) -> list[Result]:
        return [r for r in self.results if r.alert]


def screen(
    ctx: audit.Context,
    holder: IndexHolder,
    query: Query,
    use: str,
    *,
    top: int = 10,
    threshold: float | None = None,
    classification: str | None = None,
) -> Screening:
    """Screen ``query`` for ``use`` against the lists that may serve it (``screening:create``):
    the ``top`` best matches, every one at or above the threshold (the use's, unless given)
    stored as a hit. A match on an entry removed since the index was built is left out."""
    with _attempt(ctx, f"{RECORD_TYPE}.create"):
        policy.require(ctx.principal, RECORD_TYPE, "create")
        cut = _threshold(holder, use, threshold)
        _check_top(top)
        loaded = holder.current()
        allowed = set(lists.lists_for(holder.engine, use))
    matches = loaded.matcher.match(query, top=top, lists=allowed)
    run = hits.record(
        ctx,
        query,
        use,
        matches,
        cut,
        classification=classification,
        content_version=loaded.version,
    )
    found = {hit.entity_id: hit for hit in run.hits}
    results = []
    for match in matches:
        hit = found.get(match.entity_id)
        if hit is None and match.score >= cut:
            continue  # removed from its list since the index was built: not a listed party
        status, hit_id = (hit.status, hit.id) if hit is not None else (None, None)
        results.append(Result(match, hit is not None, status, hit_id))
    return Screening(run.run.id, run.subject.id, use, cut, loaded.version, results)


def search(
    ctx: audit.Context, holder: IndexHolder, q: str, top: int = 10, *, use: str | None = None
) -> list[Match]:
    """Persons and organisations whose names resemble ``q`` (``screening:read``), on every
    list or on those that may serve ``use``. Nothing is stored but the audit record
    (``screening.search``), which holds the hash of the searched name, not the name."""
    action = f"{RECORD_TYPE}.search"
    with _attempt(ctx, action):
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        _check_top(top)
        try:
            query = Query(key="search", names=(q,), schema="LegalEntity")
        except InvalidInput as error:
            raise InvalidInput(f"q: {error.message.partition(': ')[2]}", "q") from error
        allowed = set(lists.lists_for(holder.engine, use)) if use is not None else None
        loaded = holder.current()
    found = loaded.matcher.match(query, top=top, lists=allowed)
    detail = {
        "query_key": hits.subject_key(query),
        "use": use,
        "content_version": loaded.version,
        "results": [m.entity_id for m in found],
    }
    audit.record(ctx, audit.Entry(action, RECORD_TYPE, detail=detail))
    return found


@dataclass(frozen=True)
class RescreenOutcome:
    """A delta screening: the subjects screened again, the entries they were screened
    against (added or changed), and the hits it stored."""

    subjects: int = 0
    entries: int = 0
    opened: int = 0
    suppressed: int = 0


@dataclass(frozen=True)
class ImportOutcome(VersionOutcome):
    """The list's version after an import, and the delta screening it started (if asked)."""

    rescreened: RescreenOutcome | None = None


def import_list(
    ctx: audit.Context,
    path: Path,
    format: str,
    list_code: str | None = None,
    *,
    holder: IndexHolder | None = None,
    rescreen: bool = False,
    status: Status | None = None,
) -> ImportOutcome:
    """Read ``path`` in ``format`` and store it as the list's next version (nothing when its
    content is the list's current content). The list defaults to the one the file is (the UN
    list, an OFAC list); a national list must be named. With ``rescreen`` (and a ``holder``),
    the stored subjects are then screened again against what the new version changed."""
    say = status or (lambda _: None)
    if rescreen and holder is None:
        raise InvalidInput("rescreen: needs the index holder to screen with", "rescreen")
    code = list_code or importers.default_list_code(format, path)
    if code is None:
        raise InvalidInput(f"list: name the list {path.name} is (e.g. --list az-national)", "list")
    say(f"reading {path.name} ({format})")
    entries = importers.read(format, path, code)
    say(f"storing {len(entries)} entries of {code}")
    outcome = versions.apply(
        ctx, code, entries, source_name=path.name, source_sha256=source_sha256(path)
    )
    rescreened = None
    if rescreen and holder is not None and not outcome.unchanged:
        rescreened = _rescreen_after(ctx, holder, outcome.version, say)
    return ImportOutcome(outcome.version, outcome.unchanged, rescreened)


def _rescreen_after(
    ctx: audit.Context, holder: IndexHolder, version: ListVersion, status: Status
) -> RescreenOutcome:
    return rescreen(ctx, holder, [version], status=status)  # the parameter hides the name


def source_sha256(path: Path) -> str:
    """The SHA-256 of a file; of a folder, over its files in the order of their names (each
    file's path inside the folder, a NUL byte, then its content)."""
    digest = hashlib.sha256()
    if path.is_file():
        _feed(digest.update, path)
        return digest.hexdigest()
    files = sorted((p for p in path.rglob("*") if p.is_file()), key=lambda p: p.as_posix())
    for file in files:
        digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        _feed(digest.update, file)
    return digest.hexdigest()


def _feed(update: Callable[[bytes], None], file: Path) -> None:
    with file.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            update(chunk)


def rescreen(
    ctx: audit.Context,
    holder: IndexHolder,
    since_versions: Sequence[ListVersion],
    *,
    status: Status | None = None,
) -> RescreenOutcome:
    """Delta screening (``screening:create``): every stored subject not yet screened against
    ``since_versions`` is screened again, keeping only matches on the entries those versions
    (and any later ones) added or changed. New hits go to the review queue as ``open``, or
    ``suppressed`` by a standing false match. Each subject's run is recorded for its own
    agency and use, at that use's threshold and the subject's classification, by the actor
    ``system:rescreen:<caller>``; the whole is audited as one ``screening.rescreen`` record.

    A subject whose use none of the changed lists may serve is left as it is: nothing on
    those lists may be held against it, and it stays due for the next version."""
    say = status or (lambda _: None)
    action = f"{RECORD_TYPE}.rescreen"
    with _attempt(ctx, action):
        policy.require(ctx.principal, RECORD_TYPE, "create")
    if not since_versions:
        return RescreenOutcome()
    engine = holder.engine
    changed: set[str] = set()
    for version in since_versions:
        found = versions.changed_since(engine, version.list_code, version.number - 1)
        changed.update(c.entity_id for c in found if c.kind in ("added", "changed"))
    codes = {v.list_code for v in since_versions}
    allowed = {use: set(lists.lists_for(engine, use)) & codes for use in lists.uses()}
    subjects = opened = suppressed = 0
    loaded = None
    for subject, query in hits.subjects_to_rescreen(engine, [v.id for v in since_versions]):
        use = subject.last_use
        if not allowed.get(use):
            continue
        if loaded is None:  # built only when there is someone to screen
            say("loading the lists for re-screening")
            loaded = holder.refresh()
        top = loaded.matcher.candidates
        found_now = loaded.matcher.match(query, top=top, lists=allowed[use])
        run = hits.record(
            _acting_for(ctx, subject.owner_agency),
            query,
            use,
            [m for m in found_now if m.entity_id in changed],
            thresholds.threshold(holder.settings, use),
            classification=_classification(holder, subject.id),
            content_version=loaded.version,
        )
        subjects += 1
        opened += sum(h.status == hits.OPEN for h in run.hits)
        suppressed += sum(h.status == hits.SUPPRESSED for h in run.hits)
        if subjects % 100 == 0:
            say(f"re-screened {subjects} subjects")
    outcome = RescreenOutcome(subjects, len(changed), opened, suppressed)
    detail = {"versions": [v.id for v in since_versions], **asdict(outcome)}
    audit.record(ctx, audit.Entry(action, RECORD_TYPE, detail=detail))
    return outcome


def _acting_for(ctx: audit.Context, agency: str) -> audit.Context:
    """The system acting for the subject's agency, named after whoever started it."""
    principal = Principal(
        user_id=None,
        username=f"{RESCREEN_ACTOR}:{ctx.principal.username}"[:200],
        agency_id=agency,
        unit_id=None,
        roles=("screening_officer",),
        clearance=scheme().highest.rank,
        via="system",
    )
    return replace(ctx, principal=principal)


def _classification(holder: IndexHolder, subject_id: str) -> str:
    """The subject's classification: hits of a delta screening are marked no lower."""
    with transaction(holder.engine) as session:
        rank = session.scalars(
            select(SubjectRow.classification).where(SubjectRow.id == subject_id)
        ).one()
    return scheme().by_rank(rank).code


@dataclass(frozen=True)
class ListSummary:
    code: str
    title: str
    authority: str
    legal_basis: str
    uses: tuple[str, ...]
    owner_agency: str | None
    version: ListVersion | None
    entries: int


def overview(engine: Engine) -> list[ListSummary]:
    """Every declared list with its newest version and its current number of entries."""
    with transaction(engine) as session:
        counts = dict(
            session.execute(
                select(EntryRow.list_code, func.count())
                .where(EntryRow.removed_in_version.is_(None))
                .group_by(EntryRow.list_code)
            ).all()
        )
    found = []
    for row in lists.all_lists(engine):
        history = versions.history(engine, row.code)
        found.append(
            ListSummary(
                row.code,
                row.title,
                row.authority,
                row.legal_basis,
                tuple(row.uses),
                row.owner_agency,
                history[0] if history else None,
                int(counts.get(row.code, 0)),
            )
        )
    return found


def _threshold(holder: IndexHolder, use: str, given: float | None) -> float:
    lists.check_use(use)
    if given is not None:
        return thresholds.checked(given)
    return thresholds.threshold(holder.settings, use)


def _check_top(top: int) -> None:
    if not 1 <= top <= MAX_TOP:
        raise InvalidInput(f"top: between 1 and {MAX_TOP}", "top")


@contextmanager
def _attempt(ctx: audit.Context, action: str) -> Iterator[None]:
    """Checks made before the audited work: a refused attempt is audited all the same."""
    try:
        yield
    except QalxanError as exc:
        audit.record_failure(ctx, audit.Entry(action, RECORD_TYPE), exc)
        raise
