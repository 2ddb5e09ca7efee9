"""Bulletins as CSV, with markings as codes and cells made safe for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from qalxan.access.markings import scheme
from qalxan.access.sessions import aware
from qalxan.bulletins.tables import BulletinRow

COLUMNS = (
    "id",
    "title",
    "body",
    "classification",
    "tlp",
    "owner_agency",
    "owner_unit",
    "author_id",
    "created_at",
    "updated_at",
)
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(rows: Iterable[BulletinRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.id,
                _cell(row.title),
                _cell(row.body),
                scheme().by_rank(row.classification).code,
                row.tlp or "",
                row.owner_agency,
                row.owner_unit or "",
                row.author_id,
                aware(row.created_at).isoformat(),
                aware(row.updated_at).isoformat(),
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
