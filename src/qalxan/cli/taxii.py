"""``qalxan taxii``: the TAXII server's collections and rights, and the partner feeds pulled.

The console acts as a CERT analyst of ``--agency`` (default: the operator agency), so that
collections and feeds belong to the agency that runs them; every change is audited under
``cli:<operating-system user>``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer
from rich.table import Table

from qalxan.access.audit import Context
from qalxan.access.units import check_agency
from qalxan.cli.common import console, errors, operator_context, reports_errors
from qalxan.cti import collections, pull
from qalxan.cti.taxii import feeds as feed_store
from qalxan.doctrine.versions import DoctrineCache

app = typer.Typer(help="The TAXII 2.1 server and the partner feeds.", no_args_is_help=True)
collections_app = typer.Typer(help="TAXII collections.", no_args_is_help=True)
feeds_app = typer.Typer(help="Partners' TAXII collections pulled here.", no_args_is_help=True)
app.add_typer(collections_app, name="collections")
app.add_typer(feeds_app, name="feeds")
ROLES = ("cert_analyst",)

Agency = Annotated[
    str | None, typer.Option(help="Act for this agency (doctrine id; default: the operator's)")
]


def _ctx(agency: str | None) -> Context:
    ctx = operator_context(ROLES)
    if agency is None:
        return ctx
    check_agency(DoctrineCache().current(ctx.trail.engine), agency, "agency")
    return replace(ctx, principal=replace(ctx.principal, agency_id=agency))


@collections_app.command("create")
@reports_errors
def create(
    title: Annotated[str, typer.Option(help="The collection's title")],
    root: Annotated[str, typer.Option(help="API root it lives under, e.g. cert")] = "cert",
    description: Annotated[str | None, typer.Option(help="What it holds")] = None,
    alias: Annotated[str | None, typer.Option(help="A short name, unique in the API root")] = None,
    agency: Agency = None,
) -> None:
    """Create a collection owned by the agency."""
    row = collections.create(
        _ctx(agency), api_root=root, title=title, description=description, alias=alias
    )
    console.print(f"created collection [bold]{row.id}[/bold] under /taxii2/{row.api_root}/")


@collections_app.command("list")
@reports_errors
def listing(
    root: Annotated[str | None, typer.Option(help="Only this API root")] = None,
    agency: Agency = None,
) -> None:
    """The collections the agency may read or write, with their grants."""
    ctx = _ctx(agency)
    found = collections.listing(ctx, root)
    table = Table("id", "root", "title", "owner", "read", "write", "granted to")
    for item in found:
        row, rights = item.row, item.rights
        grants = ", ".join(
            f"{g.grantee} ({'r' if g.can_read else ''}{'w' if g.can_write else ''})"
            for g in item.grants
        )
        table.add_row(
            row.id,
            row.api_root,
            row.title,
            row.owner_agency,
            _yes(rights.can_read),
            _yes(rights.can_write),
            grants or "-",
        )
    console.print(table)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


@app.command("grant")
@reports_errors
def grant(
    collection: Annotated[str, typer.Argument(help="The collection's id")],
    grantee: Annotated[str, typer.Argument(help="Agency or partner organisation (doctrine id)")],
    read: Annotated[bool, typer.Option("--read", help="May read the collection")] = False,
    write: Annotated[bool, typer.Option("--write", help="May add objects to it")] = False,
    agency: Agency = None,
) -> None:
    """Set what an agency or partner may do with a collection (neither flag revokes)."""
    ctx = _ctx(agency)
    doctrine = DoctrineCache().current(ctx.trail.engine)
    collections.grant(ctx, doctrine, collection, grantee, read=read, write=write)
    what = " and ".join(w for w, on in (("read", read), ("write", write)) if on)
    console.print(f"{grantee} may now {what or 'do nothing with'} {collection}")


@feeds_app.command("add")
@reports_errors
def add_feed(
    title: Annotated[str, typer.Option(help="What the feed is")],
    url: Annotated[str, typer.Option(help="The partner's API root URL")],
    remote: Annotated[str, typer.Option(help="The partner's collection id")],
    local: Annotated[str, typer.Option(help="The local collection it fills")],
    username: Annotated[str | None, typer.Option(help="User name for HTTP Basic")] = None,
    secret_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the password or API key")
    ] = None,
    every: Annotated[int, typer.Option(help="Minutes between scheduled pulls")] = 60,
    agency: Agency = None,
) -> None:
    """Add a partner collection to pull into a local one."""
    feed = feed_store.add(
        _ctx(agency),
        title=title,
        api_root_url=url,
        remote_collection=remote,
        local_collection=local,
        username=username,
        secret_env=secret_env,
        interval_minutes=every,
    )
    console.print(f"added feed [bold]{feed.id}[/bold]")


@feeds_app.command("list")
@reports_errors
def list_feeds(agency: Agency = None) -> None:
    """The agency's feeds and how their last pull went."""
    table = Table("id", "title", "remote", "local", "every", "last run", "added after", "error")
    for f in feed_store.listing(_ctx(agency)):
        table.add_row(
            f.id,
            f.title,
            f"{f.api_root_url}collections/{f.remote_collection}/",
            f.local_collection,
            f"{f.interval_minutes} min",
            f.last_run_at.isoformat(timespec="seconds") if f.last_run_at else "never",
            f.added_after or "-",
            f.last_error or "",
        )
    console.print(table)


@feeds_app.command("pull")
@reports_errors
def pull_feeds(
    feed: Annotated[str | None, typer.Argument(help="The feed's id")] = None,
    every_feed: Annotated[bool, typer.Option("--all", help="Pull every active feed")] = False,
    agency: Agency = None,
) -> None:
    """Pull one feed now, or every active feed with --all; exit 1 if any failed."""
    if (feed is None) == (not every_feed):
        errors.print("[red]error:[/red] name a feed or give --all")
        raise typer.Exit(2)
    ctx = _ctx(agency)
    done = pull.run_due(ctx, everything=True) if feed is None else [pull.pull(ctx, feed)]
    for result in done:
        line = (
            f"{result.feed_id}: {result.pages} page(s), {result.received} received, "
            f"{result.stored} new, {result.already} already stored, {result.failed} refused"
        )
        if result.error:
            errors.print(f"[red]{line}; failed:[/red] {result.error}")
        else:
            console.print(line)
    if any(r.error for r in done):
        raise typer.Exit(1)
