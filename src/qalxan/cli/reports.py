"""``qalxan reports``: importing report files and typing texts without storing them."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from qalxan.cli.common import console, engine, errors, operator_context, reports_errors, settings
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import InvalidInput
from qalxan.intake import bulk, dedup, sources
from qalxan.intake.classify import classifier_for
from qalxan.intake.typing_file import classify_lines

app = typer.Typer(help="Situation reports: import and classify.", no_args_is_help=True)
Agency = Annotated[
    str | None,
    typer.Option(help="The reporting agency (a doctrine id); the operator agency by default"),
]


@app.command("import")
@reports_errors
def import_reports(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl or acled; detected if omitted")
    ] = None,
    agency: Agency = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="Store the good lines and list the bad ones")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=0, max=64, help="Processes typing and placing reports (cores - 1)"),
    ] = None,
) -> None:
    """Import reports from a CSV, JSON lines or ACLED file: typed, placed, de-duplicated and
    routed like submitted ones. Running it again stores nothing twice."""
    config = settings()
    db = engine()
    kind = fmt or sources.detect(path)
    ctx = operator_context(("duty_officer",))
    principal = replace(ctx.principal, agency_id=agency or config.operator_agency)
    ctx = replace(ctx, principal=principal)
    doctrine = DoctrineCache().current(db)
    if principal.agency_id not in doctrine.items:
        raise InvalidInput(f"agency: no agency of the doctrine has the id {agency!r}", "agency")
    rules = dedup.Rules(config.dedup_window_hours, config.dedup_radius_km, config.dedup_threshold)
    # Without --skip-invalid the whole file is checked first (while the first chunks are
    # typed): one bad line and nothing is stored.
    check = None if skip_invalid else (lambda: bulk.validate(sources.read(path, kind)))
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"importing {path.name}", total=sources.count(path, kind))
        try:
            outcome = bulk.run(
                ctx,
                doctrine,
                classifier_for(config.data_dir),
                sources.read(path, kind),
                origin=f"import:{principal.agency_id}",
                rules=rules,
                skip_invalid=skip_invalid,
                progress=lambda n: progress.advance(task, n),
                workers=bulk.default_workers() if workers is None else workers,
                check=check,
            )
        except bulk.BadLines as exc:
            progress.stop()
            for problem in exc.problems[: bulk.MAX_ERRORS_SHOWN]:
                errors.print(f"  {problem}")
            raise InvalidInput(
                f"{path.name}: {len(exc.problems)} bad line(s), nothing imported "
                "(fix them, or use --skip-invalid)",
                "file",
            ) from None
    console.print(
        f"{outcome.rows} rows: {outcome.stored} stored ({outcome.incidents} new incidents, "
        f"{outcome.joined} joined existing ones), {outcome.repeated} already stored, "
        f"{len(outcome.skipped)} skipped; {outcome.per_second:,.0f} rows/s"
    )
    for skipped in outcome.skipped[: bulk.MAX_ERRORS_SHOWN]:
        errors.print(f"  skipped {skipped}")


@app.command()
@reports_errors
def classify(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    out: Annotated[
        Path | None, typer.Option(help="Where to write; standard output if omitted")
    ] = None,
) -> None:
    """Type and place the texts of a JSON lines file (``{"id", "text", "country"?}``) without
    storing them; one JSON line out per line in."""
    config = settings()
    classifier = classifier_for(config.data_dir)
    with path.open(encoding="utf-8") as lines:
        answers = classify_lines(lines, classifier)
        if out is None:
            for answer in answers:
                sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
            return
        temp = out.with_name(out.name + ".part")
        count = 0
        with temp.open("w", encoding="utf-8") as target:
            for answer in answers:
                target.write(json.dumps(answer, ensure_ascii=False) + "\n")
                count += 1
        temp.replace(out)
    console.print(f"typed {count} texts into {out}")
