"""Bringing an installation to a working state: data directory, schema, doctrine.

Run once by ``qalxan serve`` before its workers start (so that several workers never race to
migrate) and by ``qalxan db upgrade``.
"""

from __future__ import annotations

from sqlalchemy import Engine

from qalxan.doctrine import loader, versions
from qalxan.settings import Settings
from qalxan.store.engine import get_engine, is_sqlite, transaction
from qalxan.store.migrate import upgrade

SYSTEM_ACTOR = "system:bootstrap"


def prepare_database(settings: Settings) -> Engine:
    """The engine of the configured database, migrated to the newest schema."""
    url = settings.resolved_database_url
    if is_sqlite(url):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = get_engine(url)
    upgrade(engine)
    return engine


def install_doctrine(engine: Engine, settings: Settings) -> str:
    """Store the configured (or bundled) doctrine version and put it in force if appropriate."""
    if settings.doctrine_path is not None:
        doctrine, origin = loader.load_path(settings.doctrine_path), str(settings.doctrine_path)
    else:
        doctrine, origin = loader.load_bundled(), "bundled"
    with transaction(engine) as session:
        return versions.install(session, doctrine, origin, SYSTEM_ACTOR)


def bootstrap(settings: Settings) -> Engine:
    engine = prepare_database(settings)
    install_doctrine(engine, settings)
    return engine
