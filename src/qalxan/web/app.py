"""The FastAPI application: JSON API under /api/v1, server-rendered pages, static assets."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from importlib import resources

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from qalxan import __version__
from qalxan.access.audit import Context
from qalxan.alerts import feeds_pull
from qalxan.bootstrap import operator_principal, trail
from qalxan.cti import hunt, pull
from qalxan.doctrine.versions import DoctrineCache
from qalxan.intake import escalation
from qalxan.intake.classify import classifier_for
from qalxan.outbox import deliver as outbox
from qalxan.picture import warnings as early_warnings
from qalxan.screening.holder import IndexHolder
from qalxan.settings import Settings, get_settings
from qalxan.store.engine import get_engine, wal_checkpoints
from qalxan.web import errors, page_auth
from qalxan.web.input_guard import MAX_BODY, InputGuard
from qalxan.web.routers import (
    account_pages,
    admin_pages,
    alert_pages,
    alerts_api,
    alerts_public,
    audit_api,
    auth_api,
    bulletins_api,
    case_pages,
    cases_api,
    complaints_api,
    cti_api,
    cti_pages,
    doctrine_api,
    grants_api,
    health,
    incident_pages,
    incidents_api,
    oversight_api,
    oversight_complaint_pages,
    oversight_pages,
    pages,
    picture_api,
    picture_pages,
    report_pages,
    reports_api,
    risks_api,
    screening_api,
    screening_pages,
    stream_api,
    taxii,
    users_api,
    warnings_api,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work of a worker process while it serves."""
    settings: Settings = app.state.settings
    system = replace(operator_principal(settings, "system:escalation"), via="system")
    ctx = Context(system, app.state.trail)
    scanner = Context(replace(system, username="system:warnings"), app.state.trail)
    hunter = Context(replace(system, username="system:cti-correlate"), app.state.trail)
    # Partner feeds are pulled with a CERT analyst's permissions, for each feed's own agency.
    puller = Context(
        replace(system, username="system:taxii-pull", roles=("cert_analyst",)), app.state.trail
    )
    cache: DoctrineCache = app.state.doctrine_cache
    feeder = Context(replace(system, username="system:alert-feeds"), app.state.trail)
    # The screening index (and the name tagger under it, seconds to load) is built now, in
    # the background, rather than by the first officer's query.
    threading.Thread(target=app.state.screening.current, name="screening-warm", daemon=True).start()
    with (
        wal_checkpoints(app.state.engine),
        escalation.background(ctx, settings.escalation_interval_seconds),
        early_warnings.background(
            scanner, app.state.doctrine_cache, settings.warning_scan_interval_seconds
        ),
        outbox.background(app.state.engine, settings, settings.outbox_interval_seconds),
        hunt.background(
            hunter,
            lambda: cache.current(app.state.engine),
            settings.cti_correlate_interval_seconds,
        ),
        pull.background(puller, settings.taxii_pull_interval_seconds),
        feeds_pull.background(
            feeder,
            cache,
            lambda: classifier_for(settings.data_dir),
            settings.alert_feed_interval_seconds,
        ),
    ):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings``; the database must already be migrated (bootstrap)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Qalxan",
        version=__version__,
        summary="National security coordination platform",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings.resolved_database_url)
    app.state.doctrine_cache = DoctrineCache(settings.doctrine_refresh_seconds)
    app.state.trail = trail(settings, app.state.engine)
    app.state.secret_key = settings.resolved_secret_key()
    app.state.screening = IndexHolder(app.state.engine, settings)  # built on first use
    errors.install(app)
    # Room for the largest attachment and its multipart envelope.
    app.add_middleware(InputGuard, max_body=max(MAX_BODY, settings.attachment_max_bytes + 65536))
    page_auth.install(app)
    app.include_router(health.router, prefix="/api/v1")
    app.include_router(doctrine_api.router, prefix="/api/v1")
    app.include_router(auth_api.router, prefix="/api/v1")
    app.include_router(users_api.router, prefix="/api/v1")
    app.include_router(bulletins_api.router, prefix="/api/v1")
    app.include_router(grants_api.router, prefix="/api/v1")
    app.include_router(audit_api.router, prefix="/api/v1")
    app.include_router(oversight_api.router, prefix="/api/v1")
    app.include_router(complaints_api.router, prefix="/api/v1")
    app.include_router(reports_api.router, prefix="/api/v1")
    app.include_router(incidents_api.router, prefix="/api/v1")
    app.include_router(cases_api.router, prefix="/api/v1")
    app.include_router(stream_api.router, prefix="/api/v1")
    app.include_router(screening_api.router, prefix="/api/v1")
    app.include_router(picture_api.router, prefix="/api/v1")
    app.include_router(risks_api.router, prefix="/api/v1")
    app.include_router(warnings_api.router, prefix="/api/v1")
    app.include_router(alerts_api.router, prefix="/api/v1")
    app.include_router(cti_api.router, prefix="/api/v1")
    # TAXII 2.1 describes itself (discovery) and answers errors in its own format.
    app.include_router(taxii.router, include_in_schema=False)
    app.include_router(alerts_public.router)
    app.include_router(pages.router, dependencies=[Depends(page_auth.get_viewer)])
    app.include_router(account_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(oversight_pages.router)
    app.include_router(oversight_complaint_pages.router)
    app.include_router(report_pages.router)
    app.include_router(incident_pages.router)
    app.include_router(case_pages.router)
    app.include_router(screening_pages.router)
    app.include_router(picture_pages.router)
    app.include_router(cti_pages.router)
    app.include_router(alert_pages.router)
    static = str(resources.files("qalxan.web").joinpath("static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app
