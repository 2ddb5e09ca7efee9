"""``qalxan intake``: report intake from the console (training the typing model)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from qalxan.cli.common import console, engine, operator_context, reports_errors, settings
from qalxan.errors import InvalidInput
from qalxan.intake import escalation
from qalxan.intake.classify import model_path, read_labelled
from qalxan.intake.classify import train as train_model
from qalxan.intake.labels import confirmed_examples

app = typer.Typer(help="Report intake: typing and escalation.", no_args_is_help=True)
# Fewer labelled reports than this teach a model less than the rules already know.
MIN_LABELLED = 50


@app.callback()
def intake() -> None:
    """Report intake: typing and escalation."""


@app.command()
@reports_errors
def train(
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A labelled file: CSV or JSON Lines with text and event_type, or an ACLED "
            "export. Without it: the reports analysts confirmed or corrected.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
) -> None:
    """Train the typing model and store it in the data directory; it is used from then on."""
    config = settings()
    with console.status(f"reading {source or 'the labelled reports'}") as status:
        if source is None:
            examples = confirmed_examples(engine())
            if len(examples) < MIN_LABELLED:
                raise InvalidInput(
                    f"only {len(examples)} reports have been confirmed or corrected by analysts; "
                    f"training needs at least {MIN_LABELLED} (or a labelled file: --from FILE)",
                    "from",
                )
        else:
            examples = read_labelled(source)
        model = train_model(
            [e.text for e in examples],
            [e.event_type for e in examples],
            keys=[e.key for e in examples],
            progress=status.update,
        )
        path = model_path(config.data_dir)
        status.update(f"storing the model in {path}")
        model.save(path)
    _report(model.metadata, path)


@app.command()
@reports_errors
def escalate() -> None:
    """Escalate missed acknowledgement deadlines now (the server's workers also do it every
    QALXAN_ESCALATION_INTERVAL_SECONDS)."""
    ctx = operator_context()
    system = replace(ctx, principal=replace(ctx.principal, username="system:escalation"))
    done = escalation.run(system)
    for item in done:
        console.print(f"{item.incident_id}: {item.agency_id} escalated to level {item.level}")
    console.print(f"{len(done)} acknowledgement(s) escalated")


def _report(metadata: dict[str, Any], path: Path) -> None:
    console.print(
        f"trained the [bold]{metadata['design']}[/bold] design on {metadata['samples']} reports "
        f"of {len(metadata['labels'])} types; stored in {path}"
    )
    validation = metadata.get("validation")
    if not validation:
        console.print("too few reports to hold some back: no validation figures")
        return
    table = Table(
        "ACLED event type",
        "F1",
        title=f"validation on {validation['samples']} held-back reports: accuracy "
        f"{validation['accuracy']:.3f}, macro-F1 {validation['macro_f1']:.3f}",
    )
    for name, value in validation["f1"].items():
        table.add_row(name, f"{value:.3f}")
    console.print(table)
    for name, scores in metadata["candidates"].items():
        console.print(
            f"  {name}: accuracy {scores['accuracy']:.3f}, macro-F1 {scores['macro_f1']:.3f}"
        )
