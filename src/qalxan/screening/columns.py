"""The CSV files screening reads (national lists, batches of parties to screen): a header
naming known columns, then rows of as many values, the required ones not empty."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from qalxan.errors import InvalidInput


def check_header(header: list[str], required: Sequence[str], optional: Collection[str]) -> None:
    """Refuse a missing header, unknown, missing or repeated columns, naming them."""
    if not any(header):
        raise InvalidInput("header: missing (the first row must name the columns)", "header")
    unknown = [c for c in header if c not in required and c not in optional]
    if unknown:
        known = ", ".join((*required, *optional))
        raise InvalidInput(
            f"header: unknown columns {', '.join(unknown)} (known: {known})", "header"
        )
    missing = [column for column in required if column not in header]
    if missing:
        raise InvalidInput(f"header: missing columns {', '.join(missing)}", "header")
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise InvalidInput(f"header: repeated columns {', '.join(repeated)}", "header")


def values(
    header: list[str], row: list[str], where: str, required: Sequence[str]
) -> dict[str, str]:
    """The row's values by column, stripped; refused (naming ``where``) when the row is short
    or long, or a required value is empty."""
    if len(row) != len(header):
        raise InvalidInput(f"{where}: {len(row)} values, the header has {len(header)}", "file")
    found = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
    for column in required:
        if not found[column]:
            raise InvalidInput(f"{where}: {column}: must not be empty", column)
    return found
