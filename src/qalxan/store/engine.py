"""Engines and sessions. Dialect differences live here and nowhere else.

SQLite gets foreign keys, WAL and a busy timeout so that several processes can share the file,
and explicit ``BEGIN`` statements so that a writing transaction can take the write lock up front
(:func:`write_transaction`): a deferred transaction that read first cannot wait for the lock and
fails at once when another process wrote in between. PostgreSQL gets a pre-pinged pool so that
worker processes survive a restarted server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from qalxan.store.periodic import periodic


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


WAL_AUTOCHECKPOINT_PAGES = 10_000


@contextmanager
def wal_checkpoints(engine: Engine, every_seconds: float = 1.0) -> Iterator[None]:
    """While the block runs, checkpoint SQLite's write-ahead log from a background thread.

    Without it, SQLite checkpoints inside whichever commit crosses the threshold, and that
    request pays for copying the log (the audit trail makes every request a write). Passive
    checkpoints never block readers or writers. Nothing to do for PostgreSQL.
    """
    if not is_sqlite(str(engine.url)):
        yield
        return

    def checkpoint() -> None:
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            raw.close()

    with periodic(
        "qalxan-wal-checkpoints",
        every_seconds,
        checkpoint,
        "WAL checkpoint failed; SQLite will checkpoint on commit instead",
    ):
        yield


def compact_json(value: Any) -> str:
    """JSON as stored: sorted keys, no spaces, UTF-8 (SQLite keeps exactly this text, which lets
    the audit verification hash stored details without decoding them)."""
    return _COMPACT.encode(value)


# Built once: json.dumps with options builds an encoder per call, and bulk paths encode a
# dozen values per row.
_COMPACT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A safety net only: wal_checkpoints() keeps the log short from a background thread, so
    # that no request's commit has to copy the log into the database file.
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
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


# One session class for the process: each sessionmaker() defines a new Session subclass, and
# SQLAlchemy builds the event dispatch of a new class on its first use, which cost more than
# the statements of a short request.
_sessions = sessionmaker(expire_on_commit=False)


def session_factory(engine: Engine) -> Callable[[], Session]:
    """New sessions bound to ``engine``, keeping loaded objects usable after commit."""
    return partial(_sessions, bind=engine)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any exception."""
    with session_factory(engine)() as session, session.begin():
        yield session


@dataclass(frozen=True)
class Driver:
    """The DBAPI cursor of a session's connection, inside the session's transaction.

    For the few statements on every request's path (the audit append), where SQLAlchemy's
    per-statement work would cost more than the statement. SQL uses ``?`` placeholders.
    """

    cursor: Any
    sqlite: bool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self.cursor.execute(sql if self.sqlite else sql.replace("?", "%s"), params)
        return self.cursor

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        self.cursor.executemany(sql if self.sqlite else sql.replace("?", "%s"), params)

    def pipeline(self) -> AbstractContextManager[Any]:
        """Statements sent together, one round trip to the server (PostgreSQL's pipeline
        mode; SQLite runs in the process and needs none)."""
        if self.sqlite:
            return nullcontext()
        pipelined: AbstractContextManager[Any] = self.cursor.connection.pipeline()
        return pipelined

    def timestamp(self, at: datetime) -> Any:
        """``at`` as a parameter, stored as SQLAlchemy stores it (SQLite: naive UTC text)."""
        if self.sqlite:
            return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return at


def driver(source: Session | Connection) -> Driver:
    connection = source.connection() if isinstance(source, Session) else source
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None  # a connection inside a transaction always has one
    return Driver(dbapi.cursor(), is_sqlite(str(connection.engine.url)))


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """Like :func:`transaction`, holding the write lock from the start (SQLite) so that a
    read-then-write transaction never fails on a concurrent writer."""
    with session_factory(engine)() as session, session.begin():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that reads one consistent state of the database (PostgreSQL: repeatable
    read; SQLite: a transaction reads one snapshot anyway). Its transaction is rolled back at
    the end, with whatever it wrote (temporary tables, say)."""
    options = {} if is_sqlite(str(engine.url)) else {"isolation_level": "REPEATABLE READ"}
    with engine.connect().execution_options(**options) as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


def lock_out_writers(session: Session, tables: Sequence[str]) -> None:
    """Keep other transactions from writing ``tables`` until this one ends (PostgreSQL; on
    SQLite the write transaction already keeps every other writer out)."""
    connection = session.connection()
    if not is_sqlite(str(connection.engine.url)):
        connection.exec_driver_sql(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
