"""``qalxan cti``: STIX 2.1 import and export, MITRE ATT&CK, and one object from the console.

The commands act as a named account (``--as NAME``: its roles, clearance and agency) or, by
default, as the console operator holding the CERT analyst role (``cli:<user>``, the operator
agency, the highest clearance). Every import, export and read is audited under that name.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qalxan.cli import cti_correlate
from qalxan.cli.assess import write_atomically
from qalxan.cli.common import acting_as, console, progress_bar, reports_errors
from qalxan.cti import attack, export, ingest, objects, related, sources
from qalxan.errors import InvalidInput

app = typer.Typer(help="Cyber threat intelligence: STIX 2.1, MISP, ATT&CK.", no_args_is_help=True)
attack_app = typer.Typer(help="MITRE ATT&CK.", no_args_is_help=True)
app.add_typer(attack_app, name="attack")
app.command("correlate")(cti_correlate.correlate)
ROLES = ("cert_analyst",)
SHOWN_PROBLEMS = 50
As = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this account (its clearance and agency); the console operator by default",
    ),
]


@app.callback()
def cti() -> None:
    """Cyber threat intelligence: STIX 2.1, MISP, ATT&CK."""


@attack_app.callback()
def attack_group() -> None:
    """MITRE ATT&CK."""


@app.command("import")
@reports_errors
def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            readable=True,
            help="A STIX bundle, a STIX object, a MISP event, or a directory of them",
        ),
    ],
    collection: Annotated[
        str | None, typer.Option(help="Add the objects to this TAXII collection (alias or id)")
    ] = None,
    user: As = None,
) -> None:
    """Import STIX 2.1 content (bundles, objects, MISP events, directories).

    Each file is stored whole or not at all; importing the same content again stores nothing.
    Exits with 1 when a file was refused.
    """
    ctx = acting_as(user, ROLES)
    files = sources.files(path)
    if not files:
        raise InvalidInput(f"path: no .json file under {path}", "path")
    units = []
    with progress_bar(f"reading {path.name}", len(files)) as advance:
        for file in files:
            units.append(sources.read_file(file))
            advance(1)
    total = sum(len(unit.objects) for unit in units)
    with progress_bar("validating and storing", total) as advance:
        result = ingest.import_units(ctx, units, collection, str(path), progress=advance)
    _summary(result, len(files))
    if result.rejected:
        raise typer.Exit(1)


@attack_app.command("load")
@reports_errors
def attack_load(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="An ATT&CK bundle")
    ],
    user: As = None,
) -> None:
    """Load an ATT&CK bundle (enterprise, ICS or mobile) into its domain's collection."""
    with console.status(f"loading {path.name}"):
        result = attack.load(acting_as(user, ROLES), path)
    _summary(result, 1)


@app.command("export")
@reports_errors
def export_command(
    types: Annotated[
        list[str] | None, typer.Option("--type", help="Only objects of this type (repeatable)")
    ] = None,
    collection: Annotated[
        str | None, typer.Option(help="Only this TAXII collection (alias or id)")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only objects added at or after (ISO date or time, UTC)")
    ] = None,
    tlp: Annotated[
        str | None, typer.Option(help="Only objects marked at most this TLP (e.g. GREEN)")
    ] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Every version, not only the newest")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="stix | misp")] = "stix",
    out: Annotated[Path | None, typer.Option(help="The file to write; stdout by default")] = None,
    user: As = None,
) -> None:
    """Export a STIX 2.1 bundle (or a MISP event) of what the account may read.

    The marking definitions the objects reference go with them.
    """
    if fmt not in ("stix", "misp"):
        raise InvalidInput("format: stix or misp", "format")
    if out is not None and not out.parent.is_dir():
        raise InvalidInput(f"out: the directory {out.parent} does not exist", "out")
    selection = export.Selection(
        types=tuple(types or ()),
        collection=collection,
        since=_since(since),
        tlp=tlp,
        all_versions=all_versions,
    )
    done = export.export(acting_as(user, ROLES), selection, "misp" if fmt == "misp" else "stix")
    if out is None:
        sys.stdout.write(done.text + "\n")
        return
    write_atomically(out, done.text.encode("utf-8"))
    console.print(
        f"wrote {out}: {done.objects} objects and {done.definitions} marking definitions ({fmt})"
    )


@app.command("show")
@reports_errors
def show(
    stix_id: Annotated[str, typer.Argument(help="A STIX id, e.g. indicator--<UUID>")],
    user: As = None,
) -> None:
    """Show the newest version of an object, its versions, relationships and sightings."""
    ctx = acting_as(user, ROLES)
    row = objects.get(ctx, stix_id)
    state = "revoked" if row.revoked else "current"
    console.print(
        f"[bold]{row.stix_type}[/bold] {row.name or ''}  version {row.version or '-'} ({state}), "
        f"TLP {row.tlp or 'none'}, owned by {row.owner_agency}"
    )
    console.print_json(row.body)
    versions = objects.versions(ctx, stix_id)
    console.print(f"versions: {', '.join(v.version or '-' for v in versions)}")
    found = related.links(ctx, stix_id)
    if not found.outgoing and not found.incoming:
        return
    table = Table("", "link", "other end", "name", title="relationships and sightings")
    for arrow, links in (("->", found.outgoing), ("<-", found.incoming)):
        for link in links:
            for other in link.others:
                known = found.objects.get(other)
                table.add_row(arrow, link.kind, other, known.name if known else "(not readable)")
    console.print(table)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("since: an ISO date or time, e.g. 2026-01-31", "since") from None


def _summary(result: ingest.Result, files: int) -> None:
    console.print(f"{result.source}: {files} file(s)")
    table = Table("", "count")
    table.add_row("stored", str(result.stored))
    table.add_row("already there", str(result.already))
    table.add_row("rejected", str(len(result.rejected)), style="red" if result.rejected else None)
    if result.collection_id:
        table.add_row("added to the collection", str(result.added))
    if result.warnings:
        table.add_row("warnings (stored anyway)", str(len(result.warnings)))
    console.print(table)
    if result.rejected:
        problems = Table(title="rejected")
        for column in ("file", "object", "property", "reason"):
            problems.add_column(column, overflow="fold")
        rows = [(r.origin, p) for r in result.rejected for p in r.problems][:SHOWN_PROBLEMS]
        for origin, problem in rows:
            problems.add_row(origin, problem.stix_id, problem.path, problem.reason)
        console.print(problems)
    for warning in result.warnings[:5]:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    for note in result.notes[:5]:
        console.print(f"[yellow]MISP conversion:[/yellow] {note}")
