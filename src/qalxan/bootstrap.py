"""Bringing an installation to a working state: data directory, schema, doctrine, and the
bundled screening lists declared.

Run once by ``qalxan serve`` before its workers start (so that several workers never race to
migrate) and by ``qalxan db upgrade``.
"""

from __future__ import annotations

import getpass

from sqlalchemy import Engine

from qalxan.access import accounts, signing
from qalxan.access.audit import Context, Trail
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.doctrine import loader, versions
from qalxan.errors import Conflict
from qalxan.screening import lists
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
    lists.ensure_bundled(engine)
    return engine


def signer(settings: Settings) -> signing.Signer:
    """The audit signing key: configured (production), or kept in the data directory."""
    path = settings.resolved_signing_key_path()
    if settings.audit_signing_key is None and not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return signing.generate(path)
    return signing.load(path)


def trail(settings: Settings, engine: Engine) -> Trail:
    return Trail(engine, signer(settings), settings.audit_checkpoint_every)


def operator_principal(settings: Settings, name: str | None = None) -> Principal:
    """Whoever runs the command line on the server: a platform administrator of the operator
    agency with the highest clearance (they can read the database anyway), always audited."""
    return Principal(
        user_id=None,
        username=name or f"cli:{getpass.getuser()}",
        agency_id=settings.operator_agency,
        unit_id=None,
        roles=("platform_admin",),
        clearance=scheme().highest.rank,
        via="cli",
    )


def ensure_first_admin(engine: Engine, settings: Settings) -> tuple[str, str] | None:
    """On a local installation without accounts, make ``admin`` with a one-time password.

    Returns (user name, password) when an account was made, to be shown once. Production never
    makes one: it refuses to start until ``qalxan users create-admin`` has been run.
    """
    if accounts.count_admins(engine) > 0:
        return None
    if settings.env == "production":
        raise Conflict(
            "no platform administrator exists: create one with `qalxan users create-admin`"
        )
    if accounts.count_users(engine) > 0:
        return None
    ctx = Context(operator_principal(settings, "system:first-start"), trail(settings, engine))
    doctrine = versions.DoctrineCache().current(engine)
    user, password = accounts.create(
        ctx,
        doctrine,
        username="admin",
        display_name="Platform administrator",
        agency_id=settings.operator_agency,
        roles=["platform_admin"],
        clearance=scheme().highest.code,
    )
    assert password is not None
    return user.username, password
