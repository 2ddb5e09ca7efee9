"""``qalxan doctrine``: load, list, activate, compare, export, verify and search versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qalxan.cli.common import actor, console, engine, errors, reports_errors
from qalxan.doctrine import loader, provenance, views
from qalxan.doctrine.diff import DoctrineDiff, diff
from qalxan.doctrine.registry import Doctrine
from qalxan.doctrine.versions import (
    DoctrineCache,
    activate,
    list_versions,
    resolve_version,
    store_version,
)
from qalxan.errors import InvalidInput
from qalxan.store.engine import transaction

app = typer.Typer(
    help="The doctrine registry (the National Security Concept as data).", no_args_is_help=True
)

VersionOption = Annotated[
    str | None,
    typer.Option("--version", "-v", help="Version label or id; the version in force when omitted."),
]


def _doctrine(ref: str | None) -> Doctrine:
    """A version: a path to a directory or JSON export, else a stored version."""
    if ref and Path(ref).exists():
        return loader.load_path(Path(ref))
    with transaction(engine()) as session:
        cache = DoctrineCache()
        return cache.get(session, resolve_version(session, ref)) if ref else cache.active(session)


@app.command()
@reports_errors
def load(
    path: Annotated[Path, typer.Argument(help="Directory of YAML files, or an exported JSON file")],
    activate_it: Annotated[
        bool, typer.Option("--activate/--no-activate", help="Put the version in force")
    ] = True,
) -> None:
    """Validate and store a doctrine version; the versions stored before are kept."""
    doctrine = loader.load_path(path)
    with transaction(engine()) as session:
        version_id, created = store_version(session, doctrine, str(path), actor())
        if activate_it:
            activate(session, version_id, actor())
    state = "stored" if created else "already stored"
    console.print(
        f"version [bold]{doctrine.version}[/bold] ({version_id}) {state}"
        + (", in force" if activate_it else "")
    )


@app.command("list")
@reports_errors
def list_() -> None:
    """The stored versions, oldest first."""
    with transaction(engine()) as session:
        rows = list_versions(session)
    table = Table("version", "id", "title", "loaded", "by", "origin", "")
    for v in rows:
        table.add_row(
            v.version,
            v.id,
            v.title,
            v.loaded_at.strftime("%Y-%m-%d %H:%M"),
            v.loaded_by,
            v.origin,
            "in force" if v.active else "",
        )
    console.print(table)


@app.command("activate")
@reports_errors
def activate_cmd(version: Annotated[str, typer.Argument(help="Version label or id")]) -> None:
    """Put a stored version in force."""
    with transaction(engine()) as session:
        activate(session, resolve_version(session, version), actor())
    console.print(f"version [bold]{version}[/bold] is in force")


@app.command("diff")
@reports_errors
def diff_cmd(
    old: Annotated[str, typer.Argument(help="Older version: label, id, or a path")],
    new: Annotated[str, typer.Argument(help="Newer version: label, id, or a path")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """What was added, removed or changed between two versions."""
    changes = diff(_doctrine(old), _doctrine(new))
    if as_json:
        console.print_json(json.dumps(changes.to_dict(), ensure_ascii=False))
    else:
        _print_diff(changes)


def _print_diff(changes: DoctrineDiff) -> None:
    console.print(f"[bold]{changes.old}[/bold] -> [bold]{changes.new}[/bold]")
    if changes.empty:
        console.print("no differences")
    for entry in changes.added:
        console.print(f"[green]+ {entry['kind']} {entry['id']}[/green]  {entry['name']}")
    for entry in changes.removed:
        console.print(f"[red]- {entry['kind']} {entry['id']}[/red]  {entry['name']}")
    for change in changes.changed:
        console.print(f"[yellow]~ {change.kind} {change.id}[/yellow]  {', '.join(change.fields)}")
    for key in changes.relations_added:
        console.print(f"[green]+ relation {key}[/green]")
    for key in changes.relations_removed:
        console.print(f"[red]- relation {key}[/red]")
    for key in changes.relations_changed:
        console.print(f"[yellow]~ relation {key}[/yellow]")


@app.command()
@reports_errors
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format (json)")] = "json",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write; stdout if omitted")
    ] = None,
    version: VersionOption = None,
) -> None:
    """Write a whole version as one JSON document: a list per kind and a relations list."""
    if fmt != "json":
        raise InvalidInput(f"--format: unsupported format {fmt!r}; supported: json", field="format")
    text = json.dumps(_doctrine(version).to_document(), ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        errors.print(f"wrote {out}")


@app.command()
@reports_errors
def verify(
    sources: Annotated[Path, typer.Option("--sources", help="Directory of the source documents")],
    path: Annotated[
        Path | None, typer.Argument(help="A version to check; the bundled one if omitted")
    ] = None,
) -> None:
    """Check every provenance quote of a version against its source documents."""
    doctrine = loader.load_path(path) if path else loader.load_bundled()
    problems = provenance.verify(doctrine, sources)
    for problem in problems:
        errors.print(f"[red]{problem}[/red]")
    counts = ", ".join(f"{n} {k}" for k, n in doctrine.counts().items())
    if problems:
        errors.print(f"{len(problems)} problems in version {doctrine.version}")
        raise typer.Exit(1)
    console.print(f"version {doctrine.version} verified: {counts}")


@app.command()
@reports_errors
def search(
    query: Annotated[str, typer.Argument(help="Words in English or Azerbaijani")],
    kind: Annotated[str | None, typer.Option(help="Only items of this kind")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    version: VersionOption = None,
) -> None:
    """Search a version, best matches first, with the reason for each."""
    doctrine = _doctrine(version)
    index = DoctrineCache().search_index(doctrine)
    table = Table("score", "kind", "id", "name", "why")
    for hit in index.search(query, kind=kind, limit=limit):
        why = "; ".join(f"{m.query}->{m.term} ({m.how})" for m in hit.matches)
        table.add_row(f"{hit.score:.2f}", hit.item.kind, hit.item.id, hit.item.name.en, why)
    console.print(table)


@app.command()
@reports_errors
def show(
    item_id: Annotated[str, typer.Argument(help="Item id, e.g. threat-3-4")],
    version: VersionOption = None,
) -> None:
    """One item with its relations, as JSON."""
    doctrine = _doctrine(version)
    detail = views.item_detail(doctrine, doctrine.get(item_id))
    console.print_json(json.dumps(detail, ensure_ascii=False))
