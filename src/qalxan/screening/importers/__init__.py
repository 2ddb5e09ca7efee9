"""Importers of sanctions lists into FollowTheMoney entities, looked up by format name.

Each importer reads a whole file (or folder) before it returns, so a failed import changes
nothing; malformed input raises :class:`~qalxan.errors.InvalidInput` naming the place (a line,
an element) and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qalxan.errors import InvalidInput
from qalxan.screening.importers import csv_list, ftm, ofac_csv, un_xml
from qalxan.screening.model import ListEntry

Importer = Callable[[Path, str], list[ListEntry]]

FORMATS: dict[str, Importer] = {
    "un-xml": un_xml.read,
    "ofac-csv": ofac_csv.read,
    "ftm": ftm.read,
    "csv": csv_list.read,
}

# The list a file of each OFAC kind is, by its main file.
_OFAC_LISTS = {"sdn.csv": "ofac-sdn", "cons_prim.csv": "ofac-cons"}


def importer(format: str) -> Importer:
    """The importer of ``format``, or :class:`InvalidInput` naming the known formats."""
    found = FORMATS.get(format)
    if found is None:
        raise InvalidInput(f"format: {format!r} is not one of {', '.join(FORMATS)}", field="format")
    return found


def default_list_code(format: str, path: Path) -> str | None:
    """The list a file of ``format`` at ``path`` is when the caller does not say: ``un-sc``
    for the UN list, ``ofac-sdn`` or ``ofac-cons`` for OFAC's; None when the file does not
    tell (a national CSV list, FtM entities), and the caller must name the list."""
    importer(format)
    if format == "un-xml":
        return "un-sc"
    if format == "ofac-csv":
        main = ofac_csv.main_file(path)
        return None if main is None else _OFAC_LISTS[main.name]
    return None


def read(format: str, path: Path, list_code: str) -> list[ListEntry]:
    """The entries of the list ``list_code`` read from ``path`` in ``format``."""
    read_list = importer(format)
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder", field="path")
    return read_list(path, list_code)
