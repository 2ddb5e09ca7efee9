"""``qalxan assess``: the National Threat Assessment from the console.

The commands act as a named account (``--as NAME``: its roles, clearance and agency, via
``cli``), so that the report holds what that person may read and the audit trail names them.
Without ``--as`` they act as the console operator (``cli:<user>``, the operator agency, the
highest clearance: whoever runs commands on the server can read the database anyway) holding
the analyst role, which reads and writes assessments.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from qalxan.cli.common import acting_as, console, reports_errors
from qalxan.errors import InvalidInput
from qalxan.picture import narratives, report

app = typer.Typer(help="The National Threat Assessment.", no_args_is_help=True)
ROLES = ("analyst",)
Period = Annotated[
    str, typer.Option(help="A month (YYYY-MM, e.g. 2026-10) or an ISO week (YYYY-Www, 2026-W44)")
]
As = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this account (its clearance and agency); the console operator by default",
    ),
]


@app.callback()
def assess() -> None:
    """The National Threat Assessment."""


@app.command("report")
@reports_errors
def report_command(
    period: Period,
    out: Annotated[Path, typer.Option(help="The file to write: a PDF, or HTML with --html")],
    html: Annotated[bool, typer.Option("--html", help="Write the HTML instead of a PDF")] = False,
    user: As = None,
) -> None:
    """Write the National Threat Assessment of a month or an ISO week, marked with the highest
    classification of what it includes on every page."""
    if not out.parent.is_dir():
        raise InvalidInput(f"out: the directory {out.parent} does not exist", "out")
    found = report.assessment(acting_as(user, ROLES), period)
    data = report.render_html(found).encode("utf-8") if html else report.render_pdf(found)
    write_atomically(out, data)
    console.print(
        f"wrote {out}: {found.period.title} ({found.period.label}), marked {found.marking}, "
        f"{len(data):,} bytes"
    )


@app.command("narrative")
@reports_errors
def narrative_command(
    period: Period,
    text: Annotated[
        Path, typer.Option("--file", help="A UTF-8 text file with the narrative; - for stdin")
    ],
    classification: Annotated[str, typer.Option(help="e.g. restricted, secret")],
    tlp: Annotated[str | None, typer.Option(help="A TLP marking to share it (e.g. GREEN)")] = None,
    user: As = None,
) -> None:
    """Save the analysts' narrative of a period as its next version."""
    written = sys.stdin.read() if str(text) == "-" else _read(text)
    row = narratives.write(acting_as(user, ROLES), period, written, classification, tlp)
    console.print(f"saved the narrative of {row.period} as version {row.version}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"file: cannot read {path}: {exc}", "file") from exc


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place: a reader
    sees the old file or the whole new one, never half a report."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
