"""``qalxan oversight``: the signed oversight report, made and checked from the console.

The command line acts as :func:`bootstrap.operator_principal`, which holds ``platform_admin``
only, and that role does not include ``oversight:read``. The oversight commands therefore act
as the same operator (``cli:<user>``, the operator agency, via ``cli``) holding the oversight
role instead: whoever can run commands on the server can read the database anyway, and every
report made this way is audited under that name like one made through the API.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from qalxan.access import reports, signing
from qalxan.access.audit import Context
from qalxan.access.periods import Clock, Period
from qalxan.access.principal import Principal
from qalxan.bootstrap import operator_principal, trail
from qalxan.cli.common import console, engine, errors, reports_errors, settings
from qalxan.errors import Conflict
from qalxan.settings import Settings

app = typer.Typer(help="Oversight: signed reports of access and anomalies.", no_args_is_help=True)

When = Annotated[
    datetime | None,
    typer.Option(help="Local time (QALXAN_TIMEZONE), e.g. 2026-03-01 or 2026-03-01T08:00:00"),
]


def oversight_principal(config: Settings) -> Principal:
    """The console operator with the oversight role (see the module docstring)."""
    return replace(operator_principal(config), roles=("oversight",))


@app.command()
@reports_errors
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write the report to")],
    since: When = None,
    until: When = None,
) -> None:
    """Write the signed report (statistics, summary, anomalies) of a period; default: 30 days."""
    config = settings()
    record_trail = trail(config, engine())
    if record_trail.signer is None:
        raise Conflict("the platform has no signing key")
    clock = Clock.parse(config.working_hours, config.timezone)
    period = Period.of(since, until, clock.zone)
    ctx = Context(oversight_principal(config), record_trail)
    document = reports.build(ctx, period, clock, record_trail.signer)
    out.write_text(reports.dumps(document), encoding="utf-8")
    head = document["audit_chain_head"]
    console.print(
        f"wrote {out}: {len(document['anomalies'])} anomalies, audit chain head {head['seq']}, "
        f"signed by key {document['signature']['key_id']}"
    )


@app.command("verify-report")
@reports_errors
def verify_report(
    file: Annotated[Path, typer.Argument(help="A report written by `qalxan oversight report`")],
    public_key: Annotated[
        Path | None,
        typer.Option(help="PEM public key of the platform; default: this installation's key"),
    ] = None,
) -> None:
    """Check a report's signature; exit 1 when it does not verify."""
    key = signing.load_public(public_key.read_bytes()) if public_key else _installation_key()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        errors.print(f"[red]error:[/red] cannot read {file}: {exc.strerror}")
        raise typer.Exit(2) from exc
    result = reports.verify(text, key)
    if not result.valid:
        errors.print(f"[red]invalid:[/red] {result.reason}")
        raise typer.Exit(1)
    period = json.loads(text).get("period", {})
    console.print(
        f"valid: signed by key {result.key_id}, period {period.get('since')} to "
        f"{period.get('until')}"
    )
    if not result.trusted_key:
        errors.print(
            "[yellow]warning:[/yellow] checked against the key inside the report, which "
            "proves it intact but not who signed it; pass --public-key"
        )


def _installation_key() -> Ed25519PublicKey | None:
    path = settings().resolved_signing_key_path()
    return signing.load(path).public if path.exists() else None
