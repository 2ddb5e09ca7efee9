"""``qalxan alerts``: public warnings on the Common Alerting Protocol (CAP 1.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from qalxan.alerts import Document, Problem, Reading, read_document
from qalxan.cli import alerts_feeds
from qalxan.cli.alerts_import import import_feed
from qalxan.cli.common import console, errors

app = typer.Typer(help="Public warnings (OASIS CAP 1.2).", no_args_is_help=True)
app.command("import")(import_feed)
app.add_typer(alerts_feeds.app, name="feeds")
KINDS = {"alert": "CAP alert", "envelope": "EDXL-DE envelope", "feed": "feed"}


@app.callback()
def alerts() -> None:
    """Public warnings (OASIS CAP 1.2)."""


@app.command()
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(help="CAP 1.2 (or 1.1) alerts, EDXL-DE envelopes, Atom or RSS feeds"),
    ],
) -> None:
    """Check each file against the CAP 1.2 schema and rules and print every problem with its
    element. Exit status: 0 all valid, 1 some file invalid, 2 some file unreadable."""
    invalid = unreadable = False
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as error:
            errors.print(f"[red]error:[/red] {escape(str(path))}: {error.strerror or error}")
            unreadable = True
            continue
        document = read_document(data)
        _print(path, document)
        invalid |= not document.ok
    raise typer.Exit(2 if unreadable else 1 if invalid else 0)


def _print(path: Path, document: Document) -> None:
    verdict = "[green]valid[/green]" if document.ok else "[red]INVALID[/red]"
    console.print(f"[bold]{escape(str(path))}[/bold]: {verdict} {escape(_summary(document))}")
    _problems("", document.report.errors, document.report.warnings)
    for reading in document.readings:
        inner = len(document.readings) > 1 or document.kind != "alert"
        if inner and (reading.report.errors or reading.report.warnings):
            state = "valid" if reading.ok else "invalid"
            console.print(f"  {escape(reading.where)}: {state} ({_version(reading)})")
        prefix = reading.where.removesuffix("alert")
        _problems(prefix, reading.report.errors, reading.report.warnings)


def _summary(document: Document) -> str:
    readings = document.readings
    if document.kind == "alert" and readings:
        return f"({_version(readings[0])})"
    if document.kind == "unknown":
        return ""
    kind = KINDS[document.kind]
    if document.feed is not None:
        count = len(document.feed.entries)
        kind = f"{document.feed.kind.title()} feed, {count} entr{'y' if count == 1 else 'ies'}"
    valid = sum(reading.ok for reading in readings)
    return f"({kind}, {len(readings)} alert(s), {valid} valid)"


def _version(reading: Reading) -> str:
    if reading.version is None:
        return "not CAP"
    if reading.upgraded_from:
        return f"CAP {reading.upgraded_from}, read as CAP 1.2"
    return f"CAP {reading.version}"


def _problems(prefix: str, found: tuple[Problem, ...], warnings: tuple[Problem, ...]) -> None:
    for mark, problems in (("[red]error[/red]", found), ("[yellow]warning[/yellow]", warnings)):
        for problem in problems:
            line = f" (line {problem.line})" if problem.line else ""
            where = escape(f"{prefix}{problem.path}{line}")
            console.print(f"    {mark} {where}: {escape(problem.reason)}")
