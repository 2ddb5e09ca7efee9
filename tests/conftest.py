"""Shared fixtures: a migrated database on every backend, an app, the bundled doctrine.

Database tests run on SQLite always and on PostgreSQL when ``QALXAN_TEST_DATABASE_URL`` names a
server (each test gets a schema of its own). CI sets ``QALXAN_TEST_REQUIRE_POSTGRES=1`` so that
a missing server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from qalxan.access import passwords
from qalxan.bootstrap import bootstrap
from qalxan.doctrine.loader import load_bundled
from qalxan.doctrine.registry import Doctrine
from qalxan.settings import Settings
from qalxan.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
ARTIFACTS = ROOT / "test-artifacts"
POSTGRES_URL = os.environ.get("QALXAN_TEST_DATABASE_URL", "")


def require(flag: str) -> bool:
    return os.environ.get(flag, "") == "1"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id with the smallest cost: the same code paths, milliseconds instead of a tenth of
    a second per hash (the suite hashes hundreds of passwords). Production uses the library's
    defaults."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "hasher", lambda: cheap)
        yield


@pytest.fixture(scope="session")
def doctrine() -> Doctrine:
    return load_bundled()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not at {SEEDS}")
    return SEEDS


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qalxan.db'}"
        return
    if not POSTGRES_URL:
        if require("QALXAN_TEST_REQUIRE_POSTGRES"):
            pytest.fail("QALXAN_TEST_DATABASE_URL is not set but PostgreSQL is required")
        pytest.skip("no PostgreSQL server: set QALXAN_TEST_DATABASE_URL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Refresh 0: tests see a newly activated doctrine version or list version at once.
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        doctrine_refresh_seconds=0,
        screening_refresh_seconds=0,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    db = bootstrap(settings)
    yield db
    db.dispose()


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
