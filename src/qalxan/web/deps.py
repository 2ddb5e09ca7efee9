"""Named dependencies of the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from qalxan.access.audit import Context
from qalxan.access.principal import Principal
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.search import SearchIndex
from qalxan.doctrine.versions import DoctrineCache, resolve_version
from qalxan.intake.classify import Classifier, classifier_for
from qalxan.screening.holder import IndexHolder
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from qalxan.web.auth import Caller, authenticate, context


def get_session(request: Request) -> Iterator[Session]:
    with session_factory(request.app.state.engine)() as session:
        yield session


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_cache(request: Request) -> DoctrineCache:
    cache: DoctrineCache = request.app.state.doctrine_cache
    return cache


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CacheDep = Annotated[DoctrineCache, Depends(get_cache)]
VersionParam = Annotated[
    str | None,
    Query(
        description="A doctrine version (label or id); the version in force when omitted.",
        max_length=80,
    ),
]


def _stored(request: Request, cache: DoctrineCache, version: str) -> Doctrine:
    with session_factory(request.app.state.engine)() as session:
        return cache.get(session, resolve_version(session, version))


async def get_doctrine(request: Request, cache: CacheDep, version: VersionParam = None) -> Doctrine:
    """The version asked for, or the one in force (answered from memory between refreshes)."""
    if version:
        return await run_in_threadpool(_stored, request, cache, version)
    fresh = cache.fresh()
    if fresh is not None:
        return fresh
    return await run_in_threadpool(cache.current, request.app.state.engine)


DoctrineDep = Annotated[Doctrine, Depends(get_doctrine)]


async def get_search_index(doctrine: DoctrineDep, cache: CacheDep) -> SearchIndex:
    return cache.search_index(doctrine)


SearchIndexDep = Annotated[SearchIndex, Depends(get_search_index)]


async def get_caller(request: Request) -> Caller:
    return await authenticate(request)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_principal(caller: CallerDep) -> Principal:
    return caller.principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_context(request: Request, caller: CallerDep) -> Context:
    """Who acts, from where, and the audit trail: what every protected operation is given."""
    return context(request, caller)


CtxDep = Annotated[Context, Depends(get_context)]


async def get_classifier(settings: SettingsDep) -> Classifier:
    return classifier_for(settings.data_dir)


ClassifierDep = Annotated[Classifier, Depends(get_classifier)]


async def get_screening(request: Request) -> IndexHolder:
    """The process's screening index (built on first use, not at start)."""
    holder: IndexHolder = request.app.state.screening
    return holder


ScreeningDep = Annotated[IndexHolder, Depends(get_screening)]
