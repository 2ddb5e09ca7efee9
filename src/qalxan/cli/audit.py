"""``qalxan audit``: verify the tamper-evident trail, sign checkpoints, manage the signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qalxan.access import chain, signing
from qalxan.access.audit import add_checkpoint
from qalxan.access.tables import AuditCheckpointRow, AuditHeadRow
from qalxan.bootstrap import signer
from qalxan.cli.common import (
    console,
    engine,
    errors,
    progress_bar,
    reports_errors,
    settings,
)
from qalxan.store.engine import write_transaction

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command()
@reports_errors
def verify(
    public_key: Annotated[
        Path | None, typer.Option(help="PEM public key to check checkpoints with")
    ] = None,
) -> None:
    """Walk the whole chain; exit 1 naming the first broken record when it is not intact."""
    db = engine()
    key = (
        signing.load_public(public_key.read_bytes())
        if public_key is not None
        else signer(settings()).public
    )
    total = chain.count(db)
    with progress_bar("verifying", total) as advance:
        report = chain.verify(db, {signing.key_id(key): key}, advance)
    broken = report.first_break
    if broken is not None:
        errors.print(
            f"[red]broken:[/red] audit record {broken.seq}: {broken.reason} "
            f"({report.records} records before it are intact)"
        )
        raise typer.Exit(1)
    console.print(
        f"intact: {report.records} records, {report.checkpoints} signed checkpoints, "
        f"head {report.last_seq} {report.last_hash[:16]}"
    )


@app.command()
@reports_errors
def checkpoint() -> None:
    """Sign a checkpoint at the current head now (run it from a timer, e.g. hourly)."""
    db = engine()
    key = signer(settings())
    with write_transaction(db) as session:
        head = session.get(AuditHeadRow, 1, with_for_update=True)
        if head is None or head.seq == 0:
            console.print("the trail is empty; nothing to sign")
            return
        if session.get(AuditCheckpointRow, head.seq) is None:
            add_checkpoint(session, key, head.seq, head.hash)
    console.print(f"checkpoint at record {head.seq} signed by key {key.key_id}")


@app.command()
@reports_errors
def keygen(path: Annotated[Path, typer.Argument(help="Where to write the private key")]) -> None:
    """Make a new Ed25519 signing key (for QALXAN_AUDIT_SIGNING_KEY)."""
    key = signing.generate(path)
    console.print(f"wrote {path} (key id {key.key_id}); keep it readable by the server only")


@app.command("public-key")
@reports_errors
def public_key() -> None:
    """Print the public key that checks checkpoints and signed reports."""
    console.print(signing.public_pem(signer(settings()).public), end="")
