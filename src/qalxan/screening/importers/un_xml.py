"""The UN Security Council Consolidated List, in the UN's own XML.

INDIVIDUAL elements become Persons, ENTITY elements Organizations, each keyed by its
REFERENCE_NUMBER (``QDi.001``). The UN does not say which of FIRST_NAME..FOURTH_NAME is a
family name (the order follows each country's usage), so only ``firstName`` and the other
parts as ``secondName``/``middleName`` are set, never a ``lastName``.
"""

from __future__ import annotations

import re
from pathlib import Path

from followthemoney import EntityProxy
from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

from qalxan.errors import InvalidInput
from qalxan.screening.importers.ftm import put, refuse_duplicates
from qalxan.screening.model import ListEntry, new_entity

_KINDS = {"INDIVIDUAL": "Person", "ENTITY": "Organization"}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# The name part each of FIRST_NAME..FOURTH_NAME goes to on a Person.
_PART_PROPS = ("firstName", "secondName", "middleName", "middleName")
_PLACE_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
# Alias quality: "Low" is a weak alias (a nickname, a partial name); entities say "a.k.a."
# and "f.k.a." instead of a quality.
_ALIAS_PROPS = {"low": "weakAlias", "f.k.a.": "previousName"}


def read(path: Path, list_code: str) -> list[ListEntry]:
    """Every INDIVIDUAL and ENTITY of the list at ``path``, the whole file read first."""
    # No entity resolution nor network: the file comes from outside.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"{path.name} line {error.lineno}: {error.msg}", "file") from error
    if root.tag != "CONSOLIDATED_LIST":
        message = f"{path.name}: root element {root.tag!r} is not CONSOLIDATED_LIST"
        raise InvalidInput(message, "file")
    entries: list[ListEntry] = []
    places: dict[str, str] = {}
    for kind, schema in _KINDS.items():
        for number, element in enumerate(root.iter(kind), 1):
            place = f"{kind} {number} (DATAID {_text(element, 'DATAID') or '?'})"
            entry = _entry(element, kind, place, schema, list_code)
            first = places.setdefault(entry.source_id, place)
            if first != place:
                raise InvalidInput(
                    f"{place}: REFERENCE_NUMBER {entry.source_id!r} already at {first}",
                    "REFERENCE_NUMBER",
                )
            entries.append(entry)
    # Two references may still give one entity id ("QDi.001" and "QDi-001").
    refuse_duplicates(entries)
    return entries


def _text(element: etree._Element, path: str) -> str:
    """The text at ``path`` with its whitespace collapsed, or "" when absent."""
    return " ".join((element.findtext(path) or "").split())


def _values(element: etree._Element, path: str) -> list[str]:
    return [
        text for node in element.iterfind(path) if (text := " ".join((node.text or "").split()))
    ]


def _entry(
    element: etree._Element, kind: str, place: str, schema: str, list_code: str
) -> ListEntry:
    reference = _text(element, "REFERENCE_NUMBER")
    if not reference:
        raise InvalidInput(f"{place}: REFERENCE_NUMBER: missing", "REFERENCE_NUMBER")
    parts = [_text(element, part) for part in _NAME_PARTS]
    if not any(parts):
        raise InvalidInput(f"{place}: FIRST_NAME: missing", "FIRST_NAME")
    where = f"{kind} {reference}"
    entity = new_entity(schema, list_code, reference)
    put(entity, "name", " ".join(part for part in parts if part))
    if schema == "Person":
        for part, prop in zip(parts, _PART_PROPS, strict=True):
            put(entity, prop, part)
    put(entity, "alias", _text(element, "NAME_ORIGINAL_SCRIPT"))
    for alias in element.iterfind(f"{kind}_ALIAS"):
        _alias(entity, alias)
    for prop, path in (("title", "TITLE/VALUE"), ("position", "DESIGNATION/VALUE")):
        for value in _values(element, path):
            put(entity, prop, value)
    for value in _values(element, "NATIONALITY/VALUE"):
        put(entity, "nationality", value)
    put(entity, "gender", _text(element, "GENDER"))
    for birth in element.iterfind(f"{kind}_DATE_OF_BIRTH"):
        for date in _birth_dates(birth, where):
            put(entity, "birthDate", date)
    for birth_place in element.iterfind(f"{kind}_PLACE_OF_BIRTH"):
        put(entity, "birthPlace", _place(birth_place))
        put(entity, "birthCountry", _text(birth_place, "COUNTRY"))
    for document in element.iterfind(f"{kind}_DOCUMENT"):
        _document(entity, document)
    for address in element.iterfind(f"{kind}_ADDRESS"):
        put(entity, "address", _place(address))
        put(entity, "country", _text(address, "COUNTRY"))
    put(entity, "program", _text(element, "UN_LIST_TYPE"))
    put(entity, "notes", (element.findtext("COMMENTS1") or "").strip())
    put(entity, "createdAt", _text(element, "LISTED_ON")[:10])
    return ListEntry(list_code, reference, entity, where)


def _alias(entity: EntityProxy, alias: etree._Element) -> None:
    prop = _ALIAS_PROPS.get(_text(alias, "QUALITY").lower(), "alias")
    # Some aliases hold several spellings: "Javad Rahigi; Jawad Rahigi; Jawad Rahiqi".
    for name in _text(alias, "ALIAS_NAME").split(";"):
        put(entity, prop, name)
    # A few aliases carry the birth data of the document issued under that name.
    put(entity, "birthDate", _text(alias, "DATE_OF_BIRTH"))
    put(entity, "birthPlace", _place(alias, ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH")))
    put(entity, "birthCountry", _text(alias, "COUNTRY_OF_BIRTH"))


def _birth_dates(birth: etree._Element, where: str) -> list[str]:
    """EXACT and APPROXIMATELY give a DATE or a YEAR; BETWEEN gives every year of the range."""
    if _text(birth, "TYPE_OF_DATE") != "BETWEEN":
        return [_text(birth, "DATE") or _text(birth, "YEAR")]
    first, last = _text(birth, "FROM_YEAR"), _text(birth, "TO_YEAR")
    if not (re.fullmatch(r"\d{4}", first) and re.fullmatch(r"\d{4}", last)) or first > last:
        raise InvalidInput(f"{where}: DATE_OF_BIRTH: not a range of years: {first}..{last}")
    return [str(year) for year in range(int(first), int(last) + 1)]


def _document(entity: EntityProxy, document: etree._Element) -> None:
    kinds = f"{_text(document, 'TYPE_OF_DOCUMENT')} {_text(document, 'TYPE_OF_DOCUMENT2')}"
    passport = re.search(r"pass(port|eport)|pasaporte", kinds, re.IGNORECASE) is not None
    number = _text(document, "NUMBER")
    if number:
        put(entity, "passportNumber" if passport else "idNumber", number)
    elif note := _text(document, "NOTE"):
        # Documents without a NUMBER give it, if at all, in the NOTE: keep it readable.
        put(entity, "notes", f"{kinds.strip()}: {note}")


def _place(element: etree._Element, parts: tuple[str, ...] = _PLACE_PARTS) -> str:
    return ", ".join(text for part in parts if (text := _text(element, part)))
