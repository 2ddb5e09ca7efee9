"""Alembic environment: runs on the connection handed in by qalxan.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

# The schema is the union of every capability's tables.
import qalxan.access.tables
import qalxan.alerts.tables
import qalxan.bulletins.tables
import qalxan.cases.tables
import qalxan.cti.tables
import qalxan.intake.tables
import qalxan.outbox.tables
import qalxan.picture.tables
import qalxan.screening.tables  # noqa: F401
from qalxan.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
