"""``qalxan db``: the database schema."""

from __future__ import annotations

import typer

from qalxan.bootstrap import install_doctrine
from qalxan.cli.common import console, engine, reports_errors, settings
from qalxan.store.engine import get_engine
from qalxan.store.migrate import current_revision, head_revision

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
@reports_errors
def upgrade() -> None:
    """Create or migrate the database to the newest schema and install the doctrine."""
    db = engine()
    install_doctrine(db, settings())
    console.print(f"database at revision [bold]{current_revision(db)}[/bold]")


@app.command()
@reports_errors
def current() -> None:
    """Show the schema revision of the database and the newest one this release knows."""
    db = get_engine(settings().resolved_database_url)  # read only: no migration here
    console.print(f"current {current_revision(db)}, head {head_revision(db)}")
