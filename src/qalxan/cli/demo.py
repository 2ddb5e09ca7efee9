"""``qalxan demo``: demonstration data made by the project's own generators."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from qalxan.cli.common import console, engine, reports_errors
from qalxan.doctrine import demo
from qalxan.doctrine.versions import DoctrineCache, store_version
from qalxan.store.engine import transaction

app = typer.Typer(help="Demonstration data (never real records).", no_args_is_help=True)

DEMO_ACTOR = "system:demo"


def load_demo(db: Engine) -> None:
    """Store the demonstration data; running it again stores nothing new."""
    with transaction(db) as session:
        current = DoctrineCache().active(session)
        draft = demo.review_draft(current)
        _, created = store_version(session, draft, "demo generator", DEMO_ACTOR)
    console.print(
        f"demo doctrine review draft {draft.version} " + ("stored" if created else "already stored")
    )


@app.command()
@reports_errors
def load() -> None:
    """Load the demonstration data into the configured database."""
    load_demo(engine())
