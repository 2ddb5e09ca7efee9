"""A plain CSV list, for national lists kept in a spreadsheet.

The first row names the columns: ``id`` and ``name`` are required, the others optional (see
:data:`COLUMNS`). Columns marked as lists hold several values separated by ``;``. UTF-8, with or
without a byte order mark.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from followthemoney.types import registry

from qalxan.errors import InvalidInput
from qalxan.screening import columns
from qalxan.screening.importers.ftm import put, refuse_duplicates
from qalxan.screening.model import ListEntry, new_entity

REQUIRED = ("id", "name")
# Each optional column: the property it fills, and whether it holds a ";"-separated list.
COLUMNS: dict[str, tuple[str, bool]] = {
    "schema": ("", False),
    "aliases": ("alias", True),
    "weak_aliases": ("weakAlias", True),
    "first_name": ("firstName", False),
    "last_name": ("lastName", False),
    "birth_date": ("birthDate", True),
    "birth_place": ("birthPlace", False),
    "nationality": ("nationality", True),
    "gender": ("gender", False),
    "passport_number": ("passportNumber", True),
    "id_number": ("idNumber", True),
    "imo_number": ("imoNumber", True),
    "address": ("address", False),
    "country": ("country", True),
    "program": ("program", True),
    "notes": ("notes", False),
}


def read(path: Path, list_code: str) -> list[ListEntry]:
    """Every row of the CSV file ``path``, the whole file checked first."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path.name}: not UTF-8 ({error.reason})", "file") from error
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip() for column in next(reader, [])]
        columns.check_header(header, REQUIRED, COLUMNS)
        entries = []
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in row):
                entries.append(_entry(header, row, f"line {line}", list_code))
    except csv.Error as error:
        raise InvalidInput(f"line {reader.line_num}: {error}", "file") from error
    refuse_duplicates(entries)
    return entries


def _entry(header: list[str], row: list[str], where: str, list_code: str) -> ListEntry:
    values = columns.values(header, row, where, REQUIRED)
    try:
        entity = new_entity(values.get("schema") or "Person", list_code, values["id"])
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error.message}", error.field) from error
    put(entity, "name", values["name"])
    for column, (prop, is_list) in COLUMNS.items():
        if column == "schema" or not values.get(column):
            continue
        if entity.schema.get(prop) is None:
            raise InvalidInput(f"{where}: {column}: a {entity.schema.name} has no {prop}", column)
        for value in values[column].split(";") if is_list else [values[column]]:
            if prop == "birthDate" and value.strip() and registry.date.clean(value) is None:
                raise InvalidInput(
                    f"{where}: {column}: {value.strip()!r} is not a date (YYYY, YYYY-MM or"
                    " YYYY-MM-DD)",
                    column,
                )
            put(entity, prop, value)
    return ListEntry(list_code, values["id"], entity, where)
