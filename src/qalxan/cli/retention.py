"""``qalxan retention``: apply the retention schedule (``access/data/retention.yaml``).

Runs as the console operator (``platform_admin``, which holds ``retention:run``); each purge is
audited. Schedule it daily.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from qalxan.access import retention
from qalxan.access.audit import Context
from qalxan.bootstrap import operator_principal, trail
from qalxan.cli.common import console, engine, reports_errors, settings

app = typer.Typer(help="Retention of records.", no_args_is_help=True)


@app.command("run")
@reports_errors
def run_schedule(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing")
    ] = False,
) -> None:
    """Delete the records whose retention period is over (audited), and print the counts."""
    config = settings()
    ctx = Context(operator_principal(config), trail(config, engine()))
    results = retention.run(ctx, dry_run=dry_run)
    rules = retention.schedule().types
    table = Table(
        "record type",
        "kept (days)",
        "clock",
        "older than",
        "would delete" if dry_run else "deleted",
        title="retention (dry run: nothing deleted)" if dry_run else "retention",
    )
    for result in results:
        rule = rules[result.record_type]
        table.add_row(
            result.record_type,
            str(rule.keep_days),
            ", ".join(rule.clock),
            f"{result.cutoff:%Y-%m-%d %H:%M} UTC",
            str(result.count),
        )
    console.print(table)
