"""``qalxan cti correlate``: one correlation pass (:mod:`qalxan.cti.hunt`), audited.

Runs as the system (the pass is the platform's own work, like escalation); schedule it, or
let a worker run it in its background. ``--since`` ignores the recorded watermark and checks
every incident changed since then (and new indicators against reports since then).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

import typer

from qalxan.access.audit import Context
from qalxan.bootstrap import operator_principal, trail
from qalxan.cli.common import console, engine, reports_errors, settings
from qalxan.cti import hunt
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import InvalidInput


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("since: a date or time such as 2026-11-01", field="since") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@reports_errors
def correlate(
    since: Annotated[
        str | None,
        typer.Option(help="Check everything changed since this date or time (ISO 8601)"),
    ] = None,
) -> None:
    """Correlate the incidents changed since the last pass with the indicators, and hunt
    recent reports for indicators that arrived since."""
    config = settings()
    db = engine()
    principal = replace(operator_principal(config, "system:cti-correlate"), via="system")
    ctx = Context(principal, trail(config, db))
    done = hunt.run(ctx, DoctrineCache().current(db), since=_since(since))
    console.print(
        f"{len(done.incidents)} incidents checked ({done.retro_incidents} by retro-hunt of "
        f"{done.new_indicators} new indicators); {done.linked} newly linked, "
        f"{done.sightings} sighting versions stored, {done.notices} operator notices queued"
    )
    if done.failed:
        console.print(f"[red]{len(done.failed)} failed:[/red] {', '.join(done.failed[:20])}")
        raise typer.Exit(1)
