"""The ``qalxan`` command."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from qalxan.bootstrap import bootstrap, ensure_first_admin, signer
from qalxan.cli import (
    alerts,
    assess,
    audit,
    cti,
    db,
    demo,
    doctrine,
    intake,
    outbox,
    oversight,
    picture,
    reports,
    retention,
    screening,
    taxii,
    users,
)
from qalxan.cli.common import console, reports_errors, settings

app = typer.Typer(help="Qalxan: national security coordination platform.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(doctrine.app, name="doctrine")
app.add_typer(demo.app, name="demo")
app.add_typer(users.app, name="users")
app.add_typer(users.units_app, name="units")
app.add_typer(audit.app, name="audit")
app.add_typer(oversight.app, name="oversight")
app.add_typer(retention.app, name="retention")
app.add_typer(reports.app, name="reports")
app.add_typer(intake.app, name="intake")
app.add_typer(picture.app, name="picture")
app.add_typer(assess.app, name="assess")
app.add_typer(screening.app, name="lists")
app.add_typer(outbox.app, name="outbox")
app.add_typer(taxii.app, name="taxii")
app.add_typer(cti.app, name="cti")
app.command("screen")(screening.screen)
app.add_typer(alerts.app, name="alerts")


@app.command()
@reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (QALXAN_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (QALXAN_PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (QALXAN_WORKERS)")] = None,
    with_demo: Annotated[bool, typer.Option("--demo", help="Load the demonstration data")] = False,
) -> None:
    """Prepare the database and doctrine, then serve the web UI and the API."""
    config = settings()
    engine = bootstrap(config)
    signer(config)  # refuse to start without the audit signing key (production)
    first = ensure_first_admin(engine, config)
    if first is not None:
        console.print(
            f"First start: created the platform administrator [bold]{first[0]}[/bold] with the "
            f"one-time password [bold]{first[1]}[/bold]\n"
            "It is shown only this once and must be changed at the first sign-in."
        )
    if with_demo:
        demo.load_demo(engine)
    host = host or config.host
    port = port or config.port
    console.print(
        f"Qalxan on [bold]http://{host}:{port}[/bold] "
        f"({config.env}, {engine.url.get_backend_name()})"
    )
    uvicorn.run(
        "qalxan.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers or config.workers,
        log_level=config.log_level,
        proxy_headers=True,
    )
