"""Reading a catalogue file into intake rows, one quake a row, without ever stopping at a bad
one: a row that cannot be read is kept aside as ``line N: column: reason`` (the form the bulk
import uses), a quake beyond the reach is counted, and the good rows go on to the intake.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from qalxan.alerts.catalogue_fields import Record
from qalxan.alerts.catalogue_quake import Epicentre, Quake, draft
from qalxan.alerts.catalogue_reach import Reach
from qalxan.errors import InvalidInput
from qalxan.intake.sources import Row

Parse = Callable[[Record], Quake | None]
Locate = Callable[[Record], Epicentre | None]


def header(path: Path) -> tuple[list[str], str]:
    """The file's column names and its delimiter (a tab, or a comma)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"file: cannot read {path.name}: {exc}", "file") from exc
    delimiter = "\t" if "\t" in first else ","
    return next(csv.reader([first], delimiter=delimiter), []), delimiter


class Reading:
    """The rows of ``path`` as drafts, in order, for the quakes ``reach`` keeps.

    While it is iterated it fills :attr:`rejected` and counts :attr:`rows` (every quake row
    read) and :attr:`outside`; ``progress`` is told of each row that goes no further than
    here (the bulk import tells of the others).
    """

    def __init__(
        self,
        path: Path,
        locate: Locate,
        parse: Parse,
        reach: Reach,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.path = path
        self.locate = locate
        self.parse = parse
        self.reach = reach
        self.progress = progress
        self.rows = 0
        self.outside = 0
        self.rejected: list[str] = []

    def __iter__(self) -> Iterator[Row]:
        _, delimiter = header(self.path)
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            records = csv.DictReader(handle, delimiter=delimiter)
            for record in records:
                row = self._row(records.line_num, record)
                if row is not None:
                    yield row
                elif self.progress is not None:
                    self.progress(1)

    def count(self) -> int:
        """The data lines of the file (for a progress bar), read without parsing them."""
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            return max(0, sum(1 for _ in csv.reader(handle, delimiter=header(self.path)[1])) - 1)

    def _row(self, line: int, record: dict[str | None, str | None]) -> Row | None:
        """The row's draft; None for a row that is no quake, is beyond the reach (asked first:
        a far-away quake is not rejected for its other columns) or is rejected."""
        if None in record:  # more cells than columns: the row is out of step with the header
            return self._reject(line, "file: more cells than the header has columns")
        fields = {str(k): v for k, v in record.items()}
        try:
            where = self.locate(fields)
        except InvalidInput as exc:
            return self._reject(line, exc.message)
        if where is None:
            return None
        if not self.reach.keeps(where.lat, where.lon, where.magnitude):
            self.rows += 1
            self.outside += 1
            return None
        try:
            quake = self.parse(fields)
        except InvalidInput as exc:
            return self._reject(line, exc.message)
        self.rows += 1
        return None if quake is None else Row(line, draft(quake))

    def _reject(self, line: int, message: str) -> Row | None:
        self.rows += 1
        self.rejected.append(f"line {line}: {message}")
        return None
