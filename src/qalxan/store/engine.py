"""Engines and sessions. Dialect differences live here and nowhere else.

SQLite gets foreign keys, WAL and a busy timeout so that several processes can share the file,
and explicit ``BEGIN`` statements so that a writing transaction can take the write lock up front
(:func:`write_transaction`): a deferred transaction that read first cannot wait for the lock and
fails at once when another process wrote in between. PostgreSQL gets a pre-pinged pool so that
worker processes survive a restarted server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str) -> Engine:
    """A new engine for ``url``, configured for its dialect."""
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=compact_json,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=compact_json
    )


def compact_json(value: Any) -> str:
    """JSON as stored: sorted keys, no spaces, UTF-8 (SQLite keeps exactly this text, which lets
    the audit verification hash stored details without decoding them)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Let SQLAlchemy, not the driver, issue BEGIN (the driver's implicit BEGIN is deferred).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """The engine of this process for ``url`` (one pool per process and URL)."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any exception."""
    with session_factory(engine)() as session, session.begin():
        yield session


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """Like :func:`transaction`, holding the write lock from the start (SQLite) so that a
    read-then-write transaction never fails on a concurrent writer."""
    with session_factory(engine)() as session, session.begin():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session
