"""Run every benchmark and print one table: ``python -m benchmarks [name ...]``."""

from __future__ import annotations

import sys
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from benchmarks import (
    bench_access,
    bench_alerts,
    bench_alerts_ingest,
    bench_cti,
    bench_cti_correlate,
    bench_geo,
    bench_hazards,
    bench_intake,
    bench_picture,
    bench_screening,
    bench_search,
    bench_startup,
    bench_taxii,
    bench_typing,
)
from benchmarks.common import Row
from qalxan import compiled

BENCHMARKS: dict[str, Callable[[], list[Row]]] = {
    "startup": bench_startup.run,
    "search": bench_search.run,
    "access": bench_access.run,
    "geo": bench_geo.run,
    "typing": bench_typing.run,
    "intake": bench_intake.run,
    "screening": bench_screening.run,
    "picture": bench_picture.run,
    "hazards": bench_hazards.run,
    "alerts": bench_alerts.run,
    "alerts-ingest": bench_alerts_ingest.run,
    "taxii": bench_taxii.run,
    "cti": bench_cti.run,
    "cti-correlate": bench_cti_correlate.run,
}


# Wide enough for the figures to stay on one line when the table goes to a file or a CI log
# (Rich would otherwise squeeze it into 80 columns).
LOG_WIDTH = 200


def main(names: list[str]) -> int:
    console = Console(width=None if sys.stdout.isatty() else LOG_WIDTH)
    # Compiled or not, the hot paths (scripts/compile.py) change the figures.
    title = f"Qalxan benchmarks (hot paths {compiled.state()})"
    table = Table("benchmark", "measured", "target", "", "conditions", title=title)
    failed = False
    for name in names or list(BENCHMARKS):
        with console.status(f"running {name}"):
            rows = BENCHMARKS[name]()
        for row in rows:
            mark = "" if row.ok is None else ("[green]ok[/green]" if row.ok else "[red]MISS[/red]")
            failed |= row.ok is False
            table.add_row(row.name, row.value, row.target, mark, row.note)
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
