"""Earthquake catalogues into the incident stream: each catalogued quake near enough to
Azerbaijan becomes a report of type ``earthquake`` through the intake's bulk import (typed,
placed, de-duplicated, graded, routed and audited like any report), and so a hazard incident.

Formats, by name (:data:`FORMATS`), recognised by their header (:func:`detect`):

- ``usgs-comcat``: USGS ComCat CSV (:mod:`qalxan.alerts.catalogue_usgs`)
- ``ncei-significant``: the NOAA NCEI significant earthquakes, TSV or CSV
  (:mod:`qalxan.alerts.catalogue_ncei`)

Which quakes are taken: :mod:`qalxan.alerts.catalogue_reach`. A row that cannot be read, or that
the intake refuses, is reported with its line and column and never stops the good rows.
Re-importing stores nothing twice: each row carries the catalogue's own event reference, and
the references are those of the bulk import (origin ``import:<agency>``), shared with
``qalxan reports import``.

**De-duplication.** A catalogue lists distinct events (the agency has merged its own duplicate
solutions): two of its rows are two quakes however close, and the picture counts every quake of
a sequence. So a catalogue is imported with :data:`RULES`, which join a quake only to a report
of the same origin within :data:`SAME_QUAKE_MINUTES` (the same quake from the other catalogue:
their origin times agree within seconds), not the intake's two days in which aftershocks would
all fold into the main shock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qalxan.access import audit
from qalxan.alerts import catalogue_ncei, catalogue_usgs
from qalxan.alerts.catalogue_reach import Reach
from qalxan.alerts.catalogue_reading import Locate, Parse, Reading, header
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput
from qalxan.intake import bulk, dedup
from qalxan.intake.classify import Classifier


@dataclass(frozen=True)
class Format:
    title: str
    recognises: Callable[[list[str]], bool]
    locate: Locate
    parse: Parse


FORMATS: dict[str, Format] = {
    "usgs-comcat": Format(
        "USGS ComCat CSV",
        catalogue_usgs.recognises,
        catalogue_usgs.epicentre,
        catalogue_usgs.quake,
    ),
    "ncei-significant": Format(
        "NOAA NCEI significant earthquakes",
        catalogue_ncei.recognises,
        catalogue_ncei.epicentre,
        catalogue_ncei.quake,
    ),
}
SAME_QUAKE_MINUTES = 2.0
# Epicentres of one quake from two agencies lie within a few tens of km (NCEI often rounds to
# a tenth of a degree).
SAME_QUAKE_KM = 50.0
RULES = dedup.Rules(window_hours=SAME_QUAKE_MINUTES / 60, radius_km=SAME_QUAKE_KM)


@dataclass
class Imported:
    """What an import did: rows read; reports stored (new incidents, joined ones); rows stored
    before; quakes beyond the reach; rows rejected, as ``line N: column: reason``."""

    format: str
    rows: int = 0
    stored: int = 0
    incidents: int = 0
    joined: int = 0
    repeated: int = 0
    outside: int = 0
    rejected: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def detect(path: Path) -> str:
    """The catalogue format of ``path``, by its header; InvalidInput when it is none of them."""
    columns, _ = header(path)
    for name, fmt in FORMATS.items():
        if fmt.recognises(columns):
            return name
    raise InvalidInput(
        f"format: {path.name} is not an earthquake catalogue this knows "
        f"({', '.join(f.title for f in FORMATS.values())})",
        "format",
    )


def read(
    path: Path,
    fmt: str | None = None,
    reach: Reach | None = None,
    progress: Callable[[int], None] | None = None,
) -> Reading:
    """The rows of a catalogue file, read as they are iterated (see :class:`Reading`)."""
    name = fmt or detect(path)
    if name not in FORMATS:
        raise InvalidInput(f"format: one of {', '.join(FORMATS)}", "format")
    chosen = FORMATS[name]
    return Reading(path, chosen.locate, chosen.parse, reach or Reach(), progress)


def import_file(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    path: Path,
    *,
    fmt: str | None = None,
    reach: Reach | None = None,
    rules: dedup.Rules = RULES,
    progress: Callable[[int], None] | None = None,
    workers: int = 0,
) -> Imported:
    """Import a catalogue file for the caller's agency, as the bulk import of reports does."""
    name = fmt or detect(path)
    reading = read(path, name, reach, progress)
    agency = ctx.principal.agency_id
    outcome = bulk.run(
        ctx,
        doctrine,
        classifier,
        reading,
        origin=f"import:{agency}",
        rules=rules,
        skip_invalid=True,
        progress=progress,
        workers=workers,
    )
    rejected = sorted([*reading.rejected, *map(str, outcome.skipped)], key=_line)
    return Imported(
        format=name,
        rows=reading.rows,
        stored=outcome.stored,
        incidents=outcome.incidents,
        joined=outcome.joined,
        repeated=outcome.repeated,
        outside=reading.outside,
        rejected=rejected,
        seconds=outcome.seconds,
    )


def _line(problem: str) -> int:
    number = problem.removeprefix("line ").split(":", 1)[0]
    return int(number) if number.isdigit() else 0
