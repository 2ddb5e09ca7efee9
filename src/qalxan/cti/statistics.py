"""Fresh planner statistics after a bulk import, on PostgreSQL.

PostgreSQL plans from statistics that autovacuum refreshes only a while after the rows
arrive. Straight after an import of tens of thousands of versions into tables it thinks
small, it plans the next import's id lookups as scans of the whole table: a re-import of
25,000 objects took 20-60 s instead of 2 s until autovacuum ran. So an import that wrote more
than :data:`BULK` rows analyses the tables it filled, once, after its commit (``ANALYZE``
inside the import's transaction would hold the transaction open longer, and sees the same
rows). SQLite needs nothing: its planner uses the indexes without statistics.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from qalxan.cti.tables import CtiEntryRow, CtiObjectRow, CtiObservableRow

BULK = 5_000
TABLES = tuple(t.__tablename__ for t in (CtiObjectRow, CtiEntryRow, CtiObservableRow))
log = logging.getLogger(__name__)


def is_postgresql(engine: Engine) -> bool:
    """Whether the engine's database is PostgreSQL (the one dialect check of this module)."""
    return engine.dialect.name == "postgresql"


def after_import(engine: Engine, written: int) -> bool:
    """Analyse the CTI tables when an import that has committed wrote more than :data:`BULK`
    versions or collection entries, on PostgreSQL; whether it did. A failure is logged, not
    raised: the import itself is done."""
    if written <= BULK or not is_postgresql(engine):
        return False
    try:
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql(f"ANALYZE {', '.join(TABLES)}")
    except SQLAlchemyError:
        log.warning("could not analyse %s after a bulk import", ", ".join(TABLES), exc_info=True)
        return False
    return True
