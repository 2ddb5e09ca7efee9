"""``qalxan picture``: the rollups behind the national threat picture."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from qalxan.cli.common import (
    console,
    engine,
    errors,
    operator_context,
    progress_bar,
    reports_errors,
)
from qalxan.doctrine.versions import DoctrineCache
from qalxan.picture import warning_review, warnings
from qalxan.picture.rebuild import Difference, differences, incident_count, rebuild
from qalxan.picture.tables import MEASURES

app = typer.Typer(help="The national threat picture.", no_args_is_help=True)
DIFFERENCES_SHOWN = 20


@app.callback()
def picture() -> None:
    """The national threat picture."""


@app.command("rebuild")
@reports_errors
def rebuild_command(
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Only compare the stored rollups with the incidents; change nothing"
        ),
    ] = False,
) -> None:
    """Recount the picture's rollups from the incidents, in one transaction. With --check,
    exit 1 listing the differences if the stored rollups are not what the incidents give."""
    db = engine()
    total = incident_count(db)
    if not check:
        with progress_bar("rebuilding", total) as advance:
            done = rebuild(db, advance)
        rows = ", ".join(f"{count} {name}" for name, count in done.rows.items())
        console.print(f"rebuilt from {done.incidents} incidents: rows {rows}")
        return
    with progress_bar("checking", total) as advance:
        found = differences(db, advance)
    if found:
        for difference in found[:DIFFERENCES_SHOWN]:
            errors.print(f"  {_line(difference)}")
        errors.print(
            f"[red]differ:[/red] {len(found)} rollup row(s) are not what the {total} incidents "
            "give; `qalxan picture rebuild` recounts them"
        )
        raise typer.Exit(1)
    console.print(f"the rollups agree with the {total} incidents")


@app.command("scan")
@reports_errors
def scan_command(
    today: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Scan as on this day (UTC; default today): its periods that ended before it",
        ),
    ] = None,
) -> None:
    """Scan the picture for early warnings; store, route and list the new ones."""
    ctx = operator_context()
    doctrine = DoctrineCache().current(ctx.trail.engine)
    raised = warnings.run(ctx, doctrine, today.date() if today else None)
    if not raised:
        console.print("no new warnings")
        return
    table = Table("period", "threat", "region", "method", "observed", "expected", "p", "marking")
    for w in raised:
        table.add_row(
            f"{w.period_start.isoformat()} ({w.scale})",
            w.threat,
            w.region or "national",
            w.method,
            str(w.observed),
            f"{w.expected:.1f}",
            f"{w.probability:.2g}",
            warning_review.out(w)["classification"],
        )
    console.print(table)
    console.print(f"{len(raised)} new warning(s), routed to the agencies of their threats")


def _line(difference: Difference) -> str:
    key = " ".join(f"{name}={value}" for name, value in difference.key.items())
    return (
        f"{difference.grain} {key}: stored {_measures(difference.stored)}, "
        f"counted {_measures(difference.fresh)}"
    )


def _measures(values: tuple[int, ...] | None) -> str:
    if values is None:
        return "nothing"
    return " ".join(f"{name}={value}" for name, value in zip(MEASURES, values, strict=True))
