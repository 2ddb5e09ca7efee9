"""Importing STIX content: validated, stored as the importer's agency, audited once.

Content arrives in units (:class:`~qalxan.cti.sources.Unit`: a bundle, a file, a MISP event),
and a unit is stored all or nothing: one invalid object, one object above the importer's
clearance (they could not read it back) or one conflicting version refuses the whole unit,
and nothing of it is stored, since a bundle is one producer's statement and half of it can
say something the whole did not. :func:`import_objects` takes one unit and raises when it is
refused; :func:`import_units` takes many (the files of a directory), stores the good ones and
reports the refused ones with their reasons.

Storing goes through :func:`qalxan.cti.store.put`, keyed by id and version, in one
transaction with the one ``cti.import`` audit record: importing the same content twice
stores nothing new, and an import that failed half way stored nothing and can simply be run
again. After the commit, a bulk import refreshes PostgreSQL's statistics
(:mod:`qalxan.cti.statistics`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.cti import markings, statistics, store
from qalxan.cti.collection_rights import resolve
from qalxan.cti.sources import Unit
from qalxan.cti.validate import InvalidStix, Problem, check

RECORD_TYPE = "cti"
# What store.put says of one version given twice, differently, in one call.
TWICE = "the same id and version twice, differently"
AUDITED_REJECTIONS = 50  # named in the audit record; the count is always there
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Rejection:
    """A unit refused whole, and every reason."""

    origin: str
    problems: tuple[Problem, ...]


@dataclass
class Result:
    """What an import did: versions newly stored, versions already there, refused units."""

    source: str
    collection_id: str | None = None
    stored: int = 0
    already: int = 0
    added: int = 0  # versions newly added to the collection
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    analysed: bool = False  # the planner's statistics were refreshed after the commit


def import_objects(
    ctx: audit.Context,
    objects: Iterable[Mapping[str, Any]],
    collection: str | None = None,
    source: str = "objects",
) -> Result:
    """Store one bundle's objects, all or nothing; :class:`InvalidStix` names every object
    and property at fault when any is refused."""
    unit = Unit(source, "objects", [o if isinstance(o, dict) else dict(o) for o in objects])
    return _import(ctx, [unit], collection, source, None, strict=True)


def import_units(
    ctx: audit.Context,
    units: Iterable[Unit],
    collection: str | None = None,
    source: str = "files",
    progress: Progress | None = None,
) -> Result:
    """Store every unit that is valid; the others are in :attr:`Result.rejected`."""
    return _import(ctx, list(units), collection, source, progress, strict=False)


def _import(
    ctx: audit.Context,
    units: Sequence[Unit],
    collection: str | None,
    source: str,
    progress: Progress | None,
    *,
    strict: bool,
) -> Result:
    principal = ctx.principal
    with audit.recorded(ctx, f"{RECORD_TYPE}.import", RECORD_TYPE) as rec:
        owner = policy.check_create(principal, RECORD_TYPE, None, 0)
        rec.entry.record_agency = owner
        result = Result(source)
        target = resolve(rec.session, principal, collection, "write") if collection else None
        result.collection_id = target.id if target is not None else None
        accepted: list[tuple[Unit, list[Problem]]] = []
        for unit in units:
            found = check(unit.objects, progress)
            problems = [*unit.problems, *found.errors]
            problems = problems or _above_clearance(unit.objects, principal)
            if problems:
                result.rejected.append(Rejection(unit.origin, tuple(problems)))
            else:
                accepted.append((unit, found.warnings))
        if strict and result.rejected:
            raise InvalidStix(list(result.rejected[0].problems))
        units_ok = [unit for unit, _ in accepted]
        kept = {id(u) for u in _store(rec.session, ctx, units_ok, owner, result, strict=strict)}
        for unit, warnings in accepted:
            if id(unit) in kept:
                result.warnings.extend(warnings)
                result.notes.extend(unit.notes)
        rec.entry.detail = _detail(result, sum(len(u.objects) for u in units), collection)
    written = max(result.stored, result.added)
    result.analysed = statistics.after_import(ctx.trail.engine, written)
    return result


def _above_clearance(objects: Sequence[Mapping[str, Any]], principal: Principal) -> list[Problem]:
    problems = []
    for obj in objects:
        rank = markings.classification_of(markings.object_refs(dict(obj)))
        if rank > principal.clearance:
            banner = scheme().by_rank(rank).banner
            reason = f"marked {banner}, above your clearance: you could not read it back"
            problems.append(Problem(str(obj.get("id")), "object_marking_refs", reason))
    return problems


def _store(
    session: Session,
    ctx: audit.Context,
    units: list[Unit],
    owner: str,
    result: Result,
    *,
    strict: bool,
) -> list[Unit]:
    """Put the units' objects; a unit with a refused version is taken out and the rest put
    again (the savepoint undoes the first attempt), so that each unit stays whole. Returns
    the units stored."""
    now = datetime.now(UTC)
    while units:
        with session.begin_nested() as savepoint:
            outcome = store.put(
                session,
                (obj for unit in units for obj in unit.objects),
                agency=owner,
                actor=ctx.principal.username,
                collection_id=result.collection_id,
                now=now,
            )
            if not outcome.failures:
                result.stored, result.already = len(outcome.stored), len(outcome.already)
                result.added = outcome.added
                return units
            savepoint.rollback()
        refusals = _refusals(units, outcome.failures)
        if not refusals:  # a failure no unit owns: refuse everything rather than loop
            problems = [Problem(f.stix_id, "", f.reason) for f in outcome.failures]
            raise InvalidStix(problems)
        for index, problems in sorted(refusals.items()):
            result.rejected.append(Rejection(units[index].origin, tuple(problems)))
        if strict:
            raise InvalidStix(list(result.rejected[0].problems))
        units = [u for i, u in enumerate(units) if i not in refusals]
    return units


def _refusals(units: Sequence[Unit], failures: list[store.Failure]) -> dict[int, list[Problem]]:
    """The units to refuse (by index) for what :func:`store.put` refused. Where two units
    give one version differently, the first keeps it (as the first import of a version
    would) and the units that contradict it are refused."""
    failed = {(f.stix_id, f.version): f.reason for f in failures}
    first: dict[tuple[str, str], str] = {}
    found: dict[int, list[Problem]] = {}
    for index, unit in enumerate(units):
        for obj in unit.objects:
            key = (str(obj.get("id"))[:128], store.version_of(obj))
            reason = failed.get(key) or failed.get((key[0], ""))
            if reason is None:
                continue
            if reason == TWICE:
                digest = store.canonical(obj)
                if first.setdefault(key, digest) == digest:
                    continue
            found.setdefault(index, []).append(Problem(key[0], "", reason))
    return found


def _detail(result: Result, objects: int, collection: str | None) -> dict[str, Any]:
    return {
        "source": result.source[:500],
        "collection": collection,
        "objects": objects,
        "stored": result.stored,
        "already": result.already,
        "added": result.added,
        "rejected_count": len(result.rejected),
        "rejected": [
            {"origin": r.origin[:500], "reason": str(r.problems[0])[:500]}
            for r in result.rejected[:AUDITED_REJECTIONS]
        ],
        "warnings": len(result.warnings),
    }
