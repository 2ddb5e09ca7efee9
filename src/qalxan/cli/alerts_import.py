"""``qalxan alerts import FEED``: a hazard feed into the incident stream. FEED is a file or an
http(s) address: a CAP alert, an EDXL-DE envelope or an Atom/RSS feed of CAP alerts (an XML
document: :mod:`qalxan.cli.alerts_cap`), or an earthquake catalogue (USGS ComCat CSV, NOAA NCEI
significant earthquakes TSV/CSV), told apart by its header; see docs/hazard-feeds.md.

The command acts as a named account (``--as NAME``: its roles and agency, which owns the
reports) or, without it, as the console operator for the operator agency, holding the duty
officer role for a catalogue (as ``qalxan reports import`` does) and the emergency manager role
for CAP (which receives alerts); both go through the intake's bulk import and its audit trail.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from qalxan.alerts import catalogues
from qalxan.alerts.catalogue_reach import Reach
from qalxan.cli import alerts_cap
from qalxan.cli.common import (
    acting_as,
    console,
    engine,
    errors,
    progress_bar,
    reports_errors,
    settings,
)
from qalxan.doctrine.versions import DoctrineCache
from qalxan.intake import bulk
from qalxan.intake.classify import classifier_for

ROLES = ("duty_officer",)


@reports_errors
def import_feed(
    feed: Annotated[
        str,
        typer.Argument(
            metavar="FEED",
            help="A file or an http(s) address: a CAP alert, an EDXL-DE envelope, an Atom or "
            "RSS feed of CAP alerts, or an earthquake catalogue",
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"A catalogue: {' or '.join(catalogues.FORMATS)}; detected from the header "
            "if omitted",
        ),
    ] = None,
    within: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="Take the quakes within this many km of Azerbaijan (default: those within "
            "their felt range of it, 10^(0.43 M) km)",
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Take every quake of the file, however far away")
    ] = False,
    user: Annotated[
        str | None,
        typer.Option("--as", help="Act as this account (its agency owns the reports)"),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=0, max=64, help="Processes placing the quakes (cores - 1)"),
    ] = None,
) -> None:
    """Import CAP alerts or an earthquake catalogue as hazard incidents: each hazard alert or
    quake in or near Azerbaijan becomes a report (typed, placed, de-duplicated, routed); CAP
    alerts are also kept as received alerts. Running it again stores nothing twice. Exit
    status 1 when a CAP alert was rejected."""
    with alerts_cap.opened(feed) as source:
        if fmt is None and source.is_xml:
            if not alerts_cap.import_cap(acting_as(user, alerts_cap.ROLES), source):
                raise typer.Exit(1)
            return
        with source.as_file() as path:
            _catalogue(path, source.label, fmt, within, everything, user, workers)


def _catalogue(
    path: Path,
    label: str,
    fmt: str | None,
    within: float | None,
    everything: bool,
    user: str | None,
    workers: int | None,
) -> None:
    config = settings()
    db = engine()
    reach = Reach(everything=everything, km=within)
    kind = fmt or catalogues.detect(path)
    ctx = acting_as(user, ROLES)
    total = catalogues.read(path, kind).count()
    with progress_bar(f"importing {label}", total) as advance:
        done = catalogues.import_file(
            ctx,
            DoctrineCache().current(db),
            classifier_for(config.data_dir),
            path,
            fmt=kind,
            reach=reach,
            progress=advance,
            workers=bulk.default_workers() if workers is None else workers,
        )
    console.print(
        f"{label} ({catalogues.FORMATS[kind].title}): {done.rows:,} quakes read; "
        f"{done.stored:,} stored ({done.incidents:,} new incidents, {done.joined:,} joined "
        f"existing ones), {done.repeated:,} already there, {done.outside:,} beyond the reach "
        f"({reach.describe()}), {len(done.rejected):,} rejected; "
        f"{done.per_second:,.0f} rows/s"
    )
    if done.rejected:
        columns = Counter(problem.split(": ")[1] for problem in done.rejected)
        errors.print("rejected, by column: " + ", ".join(f"{k} {n:,}" for k, n in columns.items()))
        for problem in done.rejected[: bulk.MAX_ERRORS_SHOWN]:
            errors.print(f"  rejected {problem}")
