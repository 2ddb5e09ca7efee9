"""``qalxan outbox``: the messages waiting to leave the platform, and their delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from qalxan.cli.common import console, engine, operator_context, reports_errors, settings
from qalxan.outbox import deliver, manage

app = typer.Typer(help="Outgoing messages: e-mail, webhooks, SMS.", no_args_is_help=True)
CUT = 60


@app.command("list")
@reports_errors
def list_command(
    status: Annotated[
        str | None, typer.Option(help="Only messages of this status: pending, sent, failed")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first")] = 50,
) -> None:
    """List the newest messages: where they go, and how their delivery fared."""
    rows = manage.listing(engine(), status, limit)
    if not rows:
        console.print("no messages")
        return
    table = Table("id", "channel", "address", "subject", "status", "attempts", "due", "error")
    for row in rows:
        table.add_row(
            row.id,
            row.channel,
            escape(row.address),
            escape(_cut(row.subject)),
            row.status,
            str(row.attempts),
            _time(row.not_before) if row.status == "pending" else "",
            escape(_cut(row.last_error or "")),
        )
    console.print(table)


@app.command("deliver")
@reports_errors
def deliver_command(
    limit: Annotated[int, typer.Option(min=1, help="Send at most this many messages")] = 100,
) -> None:
    """Send the due messages now (as a timer would, with QALXAN_OUTBOX_INTERVAL_SECONDS=0)."""
    config = settings()
    done = deliver.run(engine(), config, limit)
    console.print(f"sent {done.sent}, to retry {done.retrying}, given up {done.failed}")
    if done.held:
        console.print(
            f"{done.held} due message(s) held: QALXAN_OUTBOX_TRANSPORT is "
            f"{config.outbox_transport!r}, so nothing leaves this machine"
        )


@app.command("retry")
@reports_errors
def retry_command(message_id: Annotated[str, typer.Argument(help="The message's id")]) -> None:
    """Send a given-up message again (audited): due at once, its attempts counted afresh."""
    row = manage.retry(operator_context(), message_id)
    console.print(f"message {row.id} to {escape(row.address)} is due again")


def _cut(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= CUT else line[: CUT - 1] + "…"


def _time(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}"
