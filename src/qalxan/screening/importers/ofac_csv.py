"""OFAC's legacy CSV files: the SDN list or the consolidated (non-SDN) list.

A folder holds the main file (``sdn.csv`` or ``cons_prim.csv``: one row per listed party) and
three optional companions keyed by the main file's ``ent_num``: aliases, addresses, and the
continuation of remarks the main file cut short. The files have no header; ``-0-`` is a null
and values may carry trailing spaces. Individuals' names read ``LAST, First Middle``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from followthemoney import EntityProxy
from followthemoney.types import registry

from qalxan.errors import InvalidInput
from qalxan.screening.importers import ofac_remarks
from qalxan.screening.importers.ftm import put, refuse_duplicates
from qalxan.screening.model import ListEntry, new_entity

# The main file of each kind of list, then its aliases, addresses and remarks continuations.
FILE_SETS = {
    "sdn.csv": ("alt.csv", "add.csv", "sdn_comments.csv"),
    "cons_prim.csv": ("cons_alt.csv", "cons_add.csv", "cons_comments.csv"),
}
_SCHEMATA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization"}

# Each field of the parsed remarks, and the properties it may go to: the first one the
# entity's schema has (a Vessel has no idNumber, an Airplane no imoNumber).
_REMARK_PROPS: dict[str, tuple[str, ...]] = {
    "birth_dates": ("birthDate",),
    "birth_places": ("birthPlace",),
    "nationalities": ("nationality",),
    "citizenships": ("citizenship",),
    "genders": ("gender",),
    "passports": ("passportNumber", "idNumber"),
    "id_numbers": ("idNumber", "registrationNumber"),
    "tax_numbers": ("taxNumber", "registrationNumber"),
    "registration_numbers": ("registrationNumber",),
    "lei_codes": ("leiCode", "registrationNumber"),
    "imo_numbers": ("imoNumber", "registrationNumber"),
    "mmsis": ("mmsi", "registrationNumber"),
    "emails": ("email",),
    "websites": ("website",),
    "weak_aliases": ("weakAlias",),
    "previous_names": ("previousName",),
    "positions": ("position",),
    "past_flags": ("pastFlags",),
    "vessel_types": ("type",),
    "registration_countries": ("flag", "country"),
    "models": ("model",),
    "serial_numbers": ("serialNumber", "registrationNumber"),
    "build_dates": ("buildDate",),
    "incorporation_dates": ("incorporationDate",),
}


def main_file(path: Path) -> Path | None:
    """The main file of the list at ``path`` (a folder, or the main file itself), if any."""
    if path.name in FILE_SETS and path.is_file():
        return path
    return next((path / name for name in FILE_SETS if (path / name).is_file()), None)


def read(path: Path, list_code: str) -> list[ListEntry]:
    """Every party of the list at ``path``, with its aliases, addresses and full remarks."""
    main = main_file(path)
    if main is None:
        raise InvalidInput(f"{path}: holds neither {' nor '.join(FILE_SETS)}", "path")
    alt_file, add_file, comments_file = (main.parent / name for name in FILE_SETS[main.name])
    comments = _rows(comments_file, 2)
    more_remarks: dict[str, str] = {}
    for row in comments:
        more_remarks[row.cells[0]] = more_remarks.get(row.cells[0], "") + row.raw[1]
    entries = [
        _entry(row, list_code, more_remarks.get(row.cells[0], "")) for row in _rows(main, 12)
    ]
    refuse_duplicates(entries)
    by_number = {entry.source_id: entry for entry in entries}
    for row in comments:
        _find(by_number, row, main)
    for row in _rows(alt_file, 5):
        _alias(_find(by_number, row, main), row.cells[2], row.cells[3], row.cells[4])
    for row in _rows(add_file, 6):
        entity = _find(by_number, row, main)
        put(entity, "address", ", ".join(part for part in row.cells[2:5] if part))
        put(entity, "country", row.cells[4])
        put(entity, "notes", row.cells[5])
    return entries


@dataclass(frozen=True)
class _Row:
    """A row as read (``raw``) and its values stripped, OFAC's null ``-0-`` as "" (``cells``)."""

    file: str
    line: int
    raw: list[str]
    cells: list[str]

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}"


def _rows(path: Path, width: int) -> list[_Row]:
    """The rows of ``path`` (none when it is absent), each checked to have ``width`` cells."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # OFAC's older files are in Windows-1252
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    start = 1
    try:
        for raw in reader:
            line, start = start, reader.line_num + 1
            # Skip blank lines and the DOS end-of-file mark (Ctrl-Z) ending OFAC's files.
            if not "".join(raw).strip(" \t\x1a"):
                continue
            cells = [cell.strip() for cell in raw]
            row = _Row(path.name, line, raw, ["" if cell == "-0-" else cell for cell in cells])
            if len(raw) != width:
                raise InvalidInput(f"{row.where}: {len(raw)} columns, expected {width}", "file")
            rows.append(row)
    except csv.Error as error:
        raise InvalidInput(f"{path.name} line {reader.line_num}: {error}", "file") from error
    return rows


def _find(by_number: dict[str, ListEntry], row: _Row, main: Path) -> EntityProxy:
    entry = by_number.get(row.cells[0])
    if entry is None:
        raise InvalidInput(f"{row.where}: ent_num {row.cells[0]!r} is not in {main.name}", "file")
    return entry.entity


def _entry(row: _Row, list_code: str, more_remarks: str) -> ListEntry:
    number, name, kind, program, title, call_sign, vessel_type = row.cells[:7]
    tonnage, grt, flag, owner = row.cells[7:11]
    for column, value in (("ent_num", number), ("SDN_Name", name)):
        if not value:
            raise InvalidInput(f"{row.where}: {column}: must not be empty", column)
    schema = _SCHEMATA.get(kind.lower())
    if schema is None:
        raise InvalidInput(
            f"{row.where}: SDN_Type: {kind!r} is not one of individual, vessel, aircraft, -0-",
            "SDN_Type",
        )
    entity = new_entity(schema, list_code, number)
    if schema == "Person" and ", " in name:
        last, given = name.split(", ", 1)
        put(entity, "lastName", last)
        put(entity, "firstName", given)
    put(entity, "name", _natural(name) if schema == "Person" else name)
    for part in re.split(r"\]\s*\[", program.strip("[] ")):
        put(entity, "program", part)
    for prop, value in (("position", title), ("callSign", call_sign), ("type", vessel_type)):
        put(entity, prop, value)
    for prop, value in (("tonnage", tonnage), ("grossRegisteredTonnage", grt), ("flag", flag)):
        put(entity, prop, value)
    put(entity, "notes", f"Vessel owner: {owner}" if owner else None)
    # The main file cuts long remarks, even inside a word; the comments file holds the rest.
    remarks = ((row.raw[11] if row.cells[11] else "") + more_remarks).strip()
    put(entity, "notes", remarks)
    _remarks(entity, ofac_remarks.parse(remarks))
    return ListEntry(list_code, number, entity, row.where)


def _natural(name: str) -> str:
    """``DOE SMITH, John Paul`` -> ``John Paul DOE SMITH``."""
    last, comma, given = name.partition(", ")
    return f"{given} {last}" if comma and given else name


def _alias(entity: EntityProxy, kind: str, name: str, remarks: str) -> None:
    if entity.schema.name == "Person":
        name = _natural(name)
    if re.search(r"\b(weak|low)\b", f"{kind} {remarks}", re.IGNORECASE):
        put(entity, "weakAlias", name)
    else:
        # "fka": formerly known as; "aka" and "nka" (now known as) are names in use.
        put(entity, "previousName" if kind.lower() == "fka" else "alias", name)


def _remarks(entity: EntityProxy, remarks: ofac_remarks.Remarks) -> None:
    for field, props in _REMARK_PROPS.items():
        for value in getattr(remarks, field):
            put(
                entity, props, value.number if isinstance(value, ofac_remarks.Identifier) else value
            )
    for place in remarks.birth_places:
        country = place.rsplit(",", 1)[-1]
        if registry.country.clean(country) is not None:
            put(entity, "birthCountry", country)
    for phone in remarks.phones:
        # OFAC writes phone numbers without the "+" FtM needs to read the country code, or
        # with the "00" international prefix in its place.
        if not phone.startswith("+"):
            phone = "+" + re.sub(r"\D", "", phone.replace("(0)", "")).removeprefix("00")
        put(entity, "phone", phone)
