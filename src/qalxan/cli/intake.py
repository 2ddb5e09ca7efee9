"""``qalxan intake``: report intake from the console (training the typing model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from qalxan.cli.common import console, reports_errors, settings
from qalxan.intake.classify import model_path, read_labelled
from qalxan.intake.classify import train as train_model

app = typer.Typer(help="Report intake: automatic typing of reports.", no_args_is_help=True)


@app.callback()
def intake() -> None:
    """Report intake: automatic typing of reports."""


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
    if source is None:
        raise typer.BadParameter(
            "training on the reports analysts confirmed is not available yet; "
            "train on a labelled file with --from FILE",
            param_hint="--from",
        )
    config = settings()
    with console.status(f"reading {source}") as status:
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
