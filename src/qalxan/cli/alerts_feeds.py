"""``qalxan alerts feeds``: the external warning feeds the platform subscribes to.

``add``, ``list`` and ``deactivate`` act as a named account (``--as NAME``) or as the console
operator holding the emergency manager role for the operator agency; ``pull`` fetches and
ingests feeds for the agency that subscribed to each. See docs/hazard-feeds.md.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from qalxan.alerts.feeds import KINDS, FeedForm, add_feed, deactivate_feed, list_feeds
from qalxan.alerts.feeds_pull import Pulled, pull_feeds
from qalxan.cli import alerts_cap
from qalxan.cli.common import acting_as, console, engine, errors, reports_errors, settings
from qalxan.doctrine.versions import DoctrineCache
from qalxan.intake import bulk, dedup
from qalxan.intake.classify import classifier_for

app = typer.Typer(help="External warning feeds: subscribe, list, pull.", no_args_is_help=True)
User = Annotated[
    str | None, typer.Option("--as", help="Act as this account (its agency owns the feed)")
]


@app.command("add")
@reports_errors
def add(
    url: Annotated[str, typer.Argument(help="The feed's http(s) address")],
    kind: Annotated[str, typer.Option(help=" | ".join(KINDS))],
    title: Annotated[
        str | None, typer.Option(help="A name (the address's host if omitted)")
    ] = None,
    interval: Annotated[int, typer.Option(help="Minutes between pulls (1 to 1440)")] = 15,
    user: User = None,
) -> None:
    """Subscribe to a feed: it is pulled every INTERVAL minutes (by the server, or by
    qalxan alerts feeds pull)."""
    form = FeedForm(url=url, kind=kind, title=title, interval_minutes=interval)
    row = add_feed(acting_as(user, alerts_cap.ROLES), form)
    console.print(f"feed {row.id}: {escape(row.title)} ({KINDS[row.kind]}), every {interval} min")


@app.command("list")
@reports_errors
def list_(
    everything: Annotated[bool, typer.Option("--all", help="Deactivated feeds too")] = False,
    user: User = None,
) -> None:
    """The agency's feeds, with their last pull."""
    rows = list_feeds(acting_as(user, alerts_cap.ROLES), include_inactive=everything)
    table = Table("id", "title", "kind", "url", "every", "last pull", "last error", "active")
    for row in rows:
        last = f"{row.last_run_at:%Y-%m-%d %H:%M}" if row.last_run_at else "never"
        table.add_row(
            row.id,
            escape(row.title),
            row.kind,
            escape(row.url),
            f"{row.interval_minutes} min",
            last,
            escape(row.last_error or ""),
            "yes" if row.active else "no",
        )
    console.print(table)


@app.command("deactivate")
@reports_errors
def deactivate(feed_id: Annotated[str, typer.Argument(metavar="ID")], user: User = None) -> None:
    """Stop pulling a feed (what came from it stays)."""
    row = deactivate_feed(acting_as(user, alerts_cap.ROLES), feed_id)
    console.print(f"feed {row.id} ({escape(row.title)}) deactivated")


@app.command("pull")
@reports_errors
def pull(
    ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every active feed, due or not")
    ] = False,
) -> None:
    """Pull the feeds that are due (their interval has passed since the last pull), every
    active feed with --all, or the feeds named. Exit status 1 when a feed failed or an alert
    was rejected."""
    config = settings()
    db = engine()
    rules = dedup.Rules(config.dedup_window_hours, config.dedup_radius_km, config.dedup_threshold)
    with console.status("pulling the feeds"):
        pulled = pull_feeds(
            acting_as(None, alerts_cap.ROLES),
            DoctrineCache().current(db),
            classifier_for(config.data_dir),
            ids=ids or (),
            everything=everything,
            rules=rules,
        )
    if not pulled:
        console.print("no feed was due" if not (ids or everything) else "no active feed")
        return
    failed = False
    for done in pulled:
        failed |= _print(done)
    raise typer.Exit(1 if failed else 0)


def _print(done: Pulled) -> bool:
    """Print how a pull went; True when it failed or rejected something."""
    name = escape(f"{done.feed.title} ({done.feed.id})")
    if done.error is not None:
        errors.print(f"[red]{name}: failed:[/red] {escape(done.error)}")
        return True
    if done.unchanged:
        console.print(f"{name}: unchanged since the last pull")
        return False
    if done.imported is not None:
        got = done.imported
        console.print(
            f"{name}: {got.rows:,} quakes read; {got.stored:,} stored ({got.incidents:,} new "
            f"incidents), {got.repeated:,} already there, {got.outside:,} beyond the reach, "
            f"{len(got.rejected):,} rejected"
        )
        for problem in got.rejected[: bulk.MAX_ERRORS_SHOWN]:
            errors.print(f"  rejected {escape(problem)}")
        return False
    assert done.ingested is not None
    alerts_cap.summary(done.feed.title, done.ingested)
    return bool(done.ingested.rejected)
