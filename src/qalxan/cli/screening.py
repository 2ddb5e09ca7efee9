"""``qalxan lists`` and ``qalxan screen``: the screening lists and bulk screening from the
console, as a screening officer of the operator agency (every action audited)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from qalxan.access.audit import Context
from qalxan.cli.common import console, engine, operator_context, reports_errors, settings
from qalxan.screening import batch, lists, service
from qalxan.screening.holder import IndexHolder
from qalxan.screening.importers import FORMATS

app = typer.Typer(help="Screening lists: declare, import and show.", no_args_is_help=True)
ROLES = ("screening_officer",)


def _context() -> Context:
    return operator_context(ROLES)


@app.callback()
def lists_group() -> None:
    """Screening lists: declare, import and show."""


@app.command("import")
@reports_errors
def import_list(
    path: Annotated[Path, typer.Argument(exists=True, readable=True, help="A file or folder")],
    fmt: Annotated[str, typer.Option("--format", help=" | ".join(FORMATS))],
    list_code: Annotated[
        str | None,
        typer.Option("--list", help="The list the file is (the UN and OFAC files say it)"),
    ] = None,
    rescreen: Annotated[
        bool,
        typer.Option(help="Screen the stored subjects again against what the version changed"),
    ] = True,
) -> None:
    """Import a list file as the list's next version. Importing the same content again
    stores nothing."""
    ctx = _context()
    holder = IndexHolder(ctx.trail.engine, settings())
    spinner = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*spinner, console=console, transient=True) as bar:
        task = bar.add_task(f"importing {path.name}", total=None)
        outcome = service.import_list(
            ctx,
            path,
            fmt,
            list_code,
            holder=holder,
            rescreen=rescreen,
            status=lambda text: bar.update(task, description=text),
        )
    v = outcome.version
    if outcome.unchanged:
        console.print(
            f"{v.list_code}: nothing changed; version {v.number} already holds this content"
        )
    else:
        console.print(
            f"{v.list_code} version {v.number}: {v.added} added, {v.removed} removed, "
            f"{v.changed} changed, {v.unchanged} unchanged"
        )
    done = outcome.rescreened
    if done is not None:
        console.print(
            f"re-screened {done.subjects} subjects against {done.entries} added or changed "
            f"entries: {done.opened} new open hits, {done.suppressed} suppressed"
        )


@app.command("show")
@reports_errors
def show() -> None:
    """The declared lists: uses, owner, newest version, entries and legal basis."""
    table = Table(show_lines=True)
    table.add_column("list", no_wrap=True)
    table.add_column("title", ratio=2)
    table.add_column("uses")
    table.add_column("owner", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("entries", justify="right")
    table.add_column("legal basis", ratio=3)
    for item in service.overview(engine()):
        version = item.version
        table.add_row(
            item.code,
            f"{item.title}\n[dim]{item.authority}[/dim]",
            ", ".join(item.uses),
            item.owner_agency or "bundled",
            f"{version.number} ({version.imported_at:%Y-%m-%d})" if version else "none",
            str(item.entries),
            item.legal_basis,
        )
    console.print(table)


@app.command("declare")
@reports_errors
def declare(
    code: Annotated[str, typer.Argument(help="A slug, e.g. az-national")],
    title: Annotated[str, typer.Option(help="The list's name as its issuer publishes it")],
    authority: Annotated[str, typer.Option(help="Who issues and maintains the list")],
    legal_basis: Annotated[
        str, typer.Option(help="The law that makes screening against it lawful, and for what")
    ],
    uses: Annotated[
        str | None, typer.Option(help="Comma-separated uses (border,customs,fiu); all if omitted")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where the issuer publishes the list")] = None,
) -> None:
    """Declare a national list owned by the operator agency, before importing into it."""
    ctx = _context()
    chosen = tuple(u.strip() for u in (uses or "").split(",") if u.strip())
    spec = lists.ListSpec(code, title, authority, legal_basis, chosen, url)
    row = lists.declare(ctx, spec)
    console.print(f"{row.code}: declared for {', '.join(row.uses)} (owner {row.owner_agency})")


@reports_errors
def screen(
    source: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="IN.csv")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the results (CSV)")],
    top: Annotated[int, typer.Option(min=1, max=service.MAX_TOP, help="Results per party")] = 10,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Write results at or above this (the alert threshold if omitted)"
        ),
    ] = None,
    use: Annotated[
        str | None,
        typer.Option(help="border, customs or fiu: the lists that may serve it (all if omitted)"),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=256, help="Worker processes (the CPU count)")
    ] = None,
) -> None:
    """Screen a CSV file of parties into a CSV file of results.

    Columns: id,name and optionally schema,birth_date,nationality,gender,id_number. A bulk
    check: audited once as screening.batch, no hit stored per row."""
    ctx = _context()
    holder = IndexHolder(ctx.trail.engine, settings())
    started = time.monotonic()
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"reading {source.name}", total=None)
        outcome = batch.run(
            ctx,
            holder,
            source,
            out,
            use=use,
            top=top,
            threshold=threshold,
            workers=workers,
            progress=lambda n: bar.update(task, advance=n, description="screening"),
            loaded=lambda n: bar.update(task, total=n, description="loading the lists"),
        )
    rate = outcome.queries / outcome.seconds if outcome.seconds > 0 else float(outcome.queries)
    console.print(
        f"{outcome.queries} queries, {outcome.alerts} alerts (score >= "
        f"{outcome.alert_threshold:g}) on {outcome.flagged} of them, {rate:.0f} queries/s; "
        f"{outcome.rows} rows written to {out} in {time.monotonic() - started:.1f} s"
    )
