"""Screening against the lawful lists: ``/api/v1/screening``. Every route needs a signed-in
caller with the screening permissions (the ``screening_officer`` role).

A hit is a lead for an officer's decision, never a refusal. A hit the caller may not see
answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from followthemoney.types import registry
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qalxan.access import policy
from qalxan.access.markings import scheme
from qalxan.access.sessions import aware
from qalxan.errors import InvalidInput
from qalxan.intake import paging
from qalxan.screening import hits, service, versions
from qalxan.screening.model import SCHEMATA
from qalxan.screening.query import MAX_NAME_LENGTH, MAX_NAMES, Match
from qalxan.screening.query import Query as Screened
from qalxan.screening.tables import HitRow
from qalxan.screening.versions import ListVersion
from qalxan.web.deps import CtxDep, ScreeningDep

router = APIRouter(prefix="/screening", tags=["screening"])

MAX_QUERIES = 100
MAX_VALUES = 20
HitId = Annotated[str, Path(min_length=1, max_length=64)]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Use = Annotated[str, Field(min_length=1, max_length=16, examples=["border"])]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
Value = Annotated[str, Field(min_length=1, max_length=200)]
Names = Annotated[list[Name], Field(max_length=MAX_NAMES)]
Values = Annotated[list[Value], Field(max_length=MAX_VALUES)]
Schema = Literal[SCHEMATA]  # type: ignore[valid-type]


class PropertiesIn(BaseModel):
    """FollowTheMoney property names, each with a list of values (as yente's ``/match``)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[list[Name], Field(min_length=1, max_length=MAX_NAMES)]
    alias: Names = []
    birth_date: Annotated[Values, Field(alias="birthDate", description="ISO dates")] = []
    nationality: Annotated[Values, Field(description="ISO 3166 codes or country names")] = []
    gender: Annotated[list[Value], Field(max_length=1, examples=[["female"]])] = []
    passport_number: Annotated[Values, Field(alias="passportNumber")] = []
    id_number: Annotated[Values, Field(alias="idNumber")] = []
    registration_number: Annotated[Values, Field(alias="registrationNumber")] = []
    imo_number: Annotated[Values, Field(alias="imoNumber")] = []


class EntityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: Annotated[Schema, Field(alias="schema")] = "Person"
    properties: PropertiesIn


class MatchIn(BaseModel):
    use: Use
    queries: Annotated[
        dict[ClientId, EntityIn],
        Field(
            min_length=1,
            max_length=MAX_QUERIES,
            description="The parties to screen, keyed by the client's own ids",
        ),
    ]
    top: Annotated[int, Field(ge=1, le=service.MAX_TOP)] = 5
    threshold: Annotated[
        float | None, Field(ge=0, le=1, description="The use's alert threshold when null")
    ] = None


class DecisionIn(BaseModel):
    disposition: hits.Disposition
    reason: Annotated[str, Field(min_length=1, max_length=hits.MAX_REASON)]


def _cleaned(
    where: str, values: list[str], clean: Callable[[str], str | None], expected: str
) -> tuple[str, ...]:
    found = []
    for value in values:
        cleaned = clean(value.strip())
        if cleaned is None:
            raise InvalidInput(f"{where}: {value.strip()!r} is not {expected}", where)
        found.append(cleaned)
    return tuple(found)


def query_of(key: str, entity: EntityIn) -> Screened:
    """The query for one party, its values cleaned; errors name the party and the property."""
    where = f"queries.{key}.properties"
    props = entity.properties
    births = _cleaned(
        f"{where}.birthDate", props.birth_date, registry.date.clean, "a date (YYYY[-MM[-DD]])"
    )
    countries = _cleaned(
        f"{where}.nationality",
        props.nationality,
        registry.country.clean,
        "a country (a name or an ISO code)",
    )
    genders = _cleaned(
        f"{where}.gender", props.gender, registry.gender.clean, "male, female or other"
    )
    ids = (props.passport_number, props.id_number, props.registration_number, props.imo_number)
    try:
        return Screened(
            key=key,
            names=(*props.name, *props.alias),
            schema=entity.schema_,
            birth_dates=births,
            nationalities=countries,
            gender=genders[0] if genders else None,
            identifiers=tuple(v for values in ids for v in values),
        )
    except InvalidInput as error:
        field = f"{where}.{error.field}" if error.field else where
        raise InvalidInput(f"{where}.{error.message}", field) from error


def match_out(found: Match) -> dict[str, Any]:
    out = found.as_dict()
    return {"id": out.pop("entity_id"), **out}


def result_out(result: service.Result) -> dict[str, Any]:
    return {
        **match_out(result.match),
        "alert": result.alert,
        "status": result.status,
        "hit_id": result.hit_id,
    }


def version_out(version: ListVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "imported_at": version.imported_at,
        "imported_by": version.imported_by,
        "source_name": version.source_name,
        "source_sha256": version.source_sha256,
        "added": version.added,
        "removed": version.removed,
        "changed": version.changed,
        "unchanged": version.unchanged,
    }


def hit_out(hit: HitRow) -> dict[str, Any]:
    return {
        "id": hit.id,
        "status": hit.status,
        "score": round(hit.score, 4),
        "list": hit.list_code,
        "entity_id": hit.entity_id,
        "caption": hit.entry_caption,
        "matched_name": hit.matched_name,
        "features": hit.features,
        "explanation": hit.explanation,
        "classification": scheme().by_rank(hit.classification).code,
        "owner_agency": hit.owner_agency,
        "subject_id": hit.subject_id,
        "run_id": hit.run_id,
        # SQLite hands back naive UTC times: say UTC on every backend alike.
        "created_at": aware(hit.created_at),
    }


def entry_out(stored: versions.StoredEntry) -> dict[str, Any]:
    entry = stored.entry
    return {
        **entry.data(),
        "list": entry.list_code,
        "source_id": entry.source_id,
        "caption": entry.caption,
        "removed_in_version": stored.removed_in_version,
    }


@router.post("/match", summary="Screen up to 100 parties against the lists that may serve a use")
def match(ctx: CtxDep, holder: ScreeningDep, body: MatchIn) -> dict[str, Any]:
    """Each party is screened and recorded on its own; every result at or above the threshold
    is stored as a hit for the review queue (``open``), or ``suppressed`` by a standing false
    match. A hit is a lead for an officer's decision, never a refusal: nothing is decided
    about anyone until an officer has looked. Every party is checked before any is screened."""
    queries = [query_of(key, entity) for key, entity in body.queries.items()]
    responses: dict[str, Any] = {}
    version = None
    for asked in queries:
        done = service.screen(ctx, holder, asked, body.use, top=body.top, threshold=body.threshold)
        version = done.content_version
        responses[asked.key] = {
            "status": 200,
            "threshold": done.threshold,
            "run_id": done.run_id,
            "subject_id": done.subject_id,
            "results": [result_out(r) for r in done.results],
        }
    return {"responses": responses, "lists_version": version}


@router.get("/search", summary="Listed persons and organisations whose names resemble q")
def search(
    ctx: CtxDep,
    holder: ScreeningDep,
    q: Annotated[str, Query(min_length=1, max_length=300, description="A name, any script")],
    limit: Annotated[int, Query(ge=1, le=service.MAX_TOP)] = 10,
    use: Annotated[str | None, Query(max_length=16, description="Only lists serving it")] = None,
) -> dict[str, Any]:
    return {"results": [match_out(m) for m in service.search(ctx, holder, q, limit, use=use)]}


@router.get("/hits", summary="The review queue: open hits the caller may see, newest first")
def review_queue(
    ctx: CtxDep,
    use: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=paging.MAX_LIMIT)] = 50,
    before: Annotated[str | None, Query(max_length=80, description="next cursor")] = None,
) -> dict[str, Any]:
    page = hits.review_queue(ctx, use, limit, before)
    results = [
        {**hit_out(i.hit), "subject_caption": i.subject_caption, "use": i.use} for i in page.rows
    ]
    return {"results": results, "next": page.next}


@router.get("/hits/{hit_id}", summary="One hit with its subject, run, decisions and list entry")
def get_hit(ctx: CtxDep, holder: ScreeningDep, hit_id: HitId) -> dict[str, Any]:
    detail = hits.get(ctx, hit_id)
    stored = versions.entry(holder.engine, detail.hit.entity_id)
    subject, run = detail.subject, detail.run
    return {
        **hit_out(detail.hit),
        "subject": {
            "id": subject.id,
            "schema": subject.schema,
            "caption": subject.caption,
            "query": subject.query,
        },
        "run": {
            "id": run.id,
            "use": run.use,
            "threshold": run.threshold,
            "content_version": run.content_version,
            "screened_by": run.screened_by,
            "screened_at": aware(run.screened_at),
        },
        "entry": entry_out(stored) if stored is not None else None,
        "decisions": [
            {
                "id": d.id,
                "disposition": d.disposition,
                "reason": d.reason,
                "decided_by": d.decided_by,
                "decided_at": aware(d.decided_at),
            }
            for d in detail.decisions
        ],
    }


@router.post(
    "/hits/{hit_id}/decision",
    status_code=201,
    summary="Decide a hit: a true or a false match, with the reason",
)
def decide(ctx: CtxDep, hit_id: HitId, body: DecisionIn) -> dict[str, Any]:
    """A true match records the officer's decision and nothing more; a false match is
    remembered for this subject and entry until the entry changes (later hits: suppressed)."""
    row = hits.decide(ctx, hit_id, body.disposition, body.reason)
    return {
        "id": row.id,
        "hit_id": row.hit_id,
        "disposition": row.disposition,
        "reason": row.reason,
        "decided_by": row.decided_by,
        "decided_at": aware(row.decided_at),
    }


@router.get("/lists", summary="The declared lists: legal basis, uses, newest version, entries")
def declared_lists(ctx: CtxDep, holder: ScreeningDep) -> dict[str, Any]:
    # The overview is reference data, unaudited; reading it still takes screening:read.
    policy.require(ctx.principal, service.RECORD_TYPE, policy.READ)
    return {
        "lists": [
            {
                "code": s.code,
                "title": s.title,
                "authority": s.authority,
                "legal_basis": s.legal_basis,
                "uses": list(s.uses),
                "owner_agency": s.owner_agency,
                "version": version_out(s.version),
                "entries": s.entries,
            }
            for s in service.overview(holder.engine)
        ]
    }
