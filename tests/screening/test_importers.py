"""The list importers: small made-up files for every mapping and error, then the real lists
(skipped when the shared data is absent)."""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from followthemoney.types import registry
from lxml import etree

from qalxan.errors import InvalidInput
from qalxan.screening import importers
from qalxan.screening.importers import csv_list, ftm, ofac_csv, un_xml
from qalxan.screening.model import ListEntry

ROOT = Path(__file__).resolve().parents[2]
SCREENING = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared")) / "data" / "screening"


def shared(relative: str) -> Path:
    path = SCREENING / relative
    if not path.exists():
        pytest.skip(f"screening data absent: {path} (set QALXAN_SHARED_DIR)")
    return path


def by_id(entries: list[ListEntry]) -> dict[str, ListEntry]:
    return {entry.source_id: entry for entry in entries}


def props(entry: ListEntry) -> dict[str, list[str]]:
    return dict(entry.data()["properties"])


def refused(match: str, call: Any, *args: Any) -> InvalidInput:
    with pytest.raises(InvalidInput, match=match) as caught:
        call(*args)
    return caught.value


# ---------------------------------------------------------------------------- the registry


def test_formats_by_name() -> None:
    assert set(importers.FORMATS) == {"un-xml", "ofac-csv", "ftm", "csv"}


def test_unknown_format_names_the_known_ones(tmp_path: Path) -> None:
    error = refused(
        "format: 'xlsx' is not one of un-xml, ofac-csv, ftm, csv",
        importers.read,
        "xlsx",
        tmp_path,
        "x",
    )
    assert error.field == "format"


def test_default_list_codes(tmp_path: Path) -> None:
    (tmp_path / "sdn").mkdir()
    (tmp_path / "sdn" / "sdn.csv").write_text("")
    (tmp_path / "cons").mkdir()
    (tmp_path / "cons" / "cons_prim.csv").write_text("")
    assert importers.default_list_code("un-xml", tmp_path / "list.xml") == "un-sc"
    assert importers.default_list_code("ofac-csv", tmp_path / "sdn") == "ofac-sdn"
    assert importers.default_list_code("ofac-csv", tmp_path / "cons") == "ofac-cons"
    assert importers.default_list_code("ofac-csv", tmp_path) is None
    assert importers.default_list_code("csv", tmp_path / "list.csv") is None
    assert importers.default_list_code("ftm", tmp_path / "list.json") is None
    refused("format: 'xlsx'", importers.default_list_code, "xlsx", tmp_path)


def test_read_refuses_a_missing_path(tmp_path: Path) -> None:
    error = refused(
        "nothing.xml: no such file or folder",
        importers.read,
        "un-xml",
        tmp_path / "nothing.xml",
        "un-sc",
    )
    assert error.field == "path"


def test_read_dispatches(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("id,name\n1,Testa Person\n")
    [entry] = importers.read("csv", path, "az-national")
    assert entry.id == "az-national-1"


# ---------------------------------------------------------------------------- UN XML

UN_XML = """<?xml version='1.0' encoding='UTF-8'?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00.000Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1001</DATAID>
      <FIRST_NAME>IVAN</FIRST_NAME>
      <SECOND_NAME>PETROV</SECOND_NAME>
      <THIRD_NAME>TESTOVICH</THIRD_NAME>
      <UN_LIST_TYPE>Testland</UN_LIST_TYPE>
      <REFERENCE_NUMBER>TXi.001</REFERENCE_NUMBER>
      <LISTED_ON>2010-05-03</LISTED_ON>
      <NAME_ORIGINAL_SCRIPT>Иван Петров</NAME_ORIGINAL_SCRIPT>
      <GENDER>Male</GENDER>
      <COMMENTS1>Made up for a test.</COMMENTS1>
      <TITLE><VALUE>Colonel</VALUE></TITLE>
      <DESIGNATION><VALUE>Commander of the Test Brigade</VALUE></DESIGNATION>
      <NATIONALITY><VALUE>Russian Federation</VALUE><VALUE>Atlantis</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ivan Petroff</ALIAS_NAME>
      </INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>The Tester</ALIAS_NAME>
      </INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME>Jan Petrov; Juan Petrov</ALIAS_NAME>
      </INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS>
        <STREET>1 Test Street</STREET><CITY>Testgrad</CITY><COUNTRY>Georgia</COUNTRY>
      </INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1961-02-03</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1959</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH>
        <TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1964</FROM_YEAR><TO_YEAR>1966</TO_YEAR>
      </INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_PLACE_OF_BIRTH>
        <CITY>Testgrad</CITY><STATE_PROVINCE>Test Oblast</STATE_PROVINCE>
        <COUNTRY>Russian Federation</COUNTRY>
      </INDIVIDUAL_PLACE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT>
        <TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>P1234567</NUMBER>
      </INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT>
        <TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT>
        <NUMBER>ID-998877</NUMBER>
      </INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT>
        <TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT>
        <TYPE_OF_DOCUMENT2>national passport</TYPE_OF_DOCUMENT2><NUMBER>NP55</NUMBER>
      </INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT>
        <TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NOTE>passport number Q1 expired in 2001</NOTE>
      </INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>
    <INDIVIDUAL>
      <DATAID>1002</DATAID>
      <FIRST_NAME>SOLO</FIRST_NAME>
      <REFERENCE_NUMBER>TXi.002</REFERENCE_NUMBER>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE/></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT/>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>2001</DATAID>
      <FIRST_NAME>TEST TRADING COMPANY</FIRST_NAME>
      <UN_LIST_TYPE>Testland</UN_LIST_TYPE>
      <REFERENCE_NUMBER>TXe.001</REFERENCE_NUMBER>
      <LISTED_ON>2015-07-01-04:00</LISTED_ON>
      <NAME_ORIGINAL_SCRIPT>شركة الاختبار</NAME_ORIGINAL_SCRIPT>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>TTC</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>OLD TEST COMPANY</ALIAS_NAME>
      </ENTITY_ALIAS>
      <ENTITY_ADDRESS><CITY>Testabad</CITY><COUNTRY>Afghanistan</COUNTRY></ENTITY_ADDRESS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_un_individual(tmp_path: Path) -> None:
    entries = un_xml.read(write(tmp_path, "un.xml", UN_XML), "un-sc")
    assert [entry.schema for entry in entries] == ["Person", "Person", "Organization"]
    person = by_id(entries)["TXi.001"]
    assert person.id == "un-sc-txi-001"
    assert person.where == "INDIVIDUAL TXi.001"
    data = props(person)
    assert data["name"] == ["IVAN PETROV TESTOVICH"]
    assert data["firstName"] == ["IVAN"]
    assert data["secondName"] == ["PETROV"]
    assert data["middleName"] == ["TESTOVICH"]
    assert "lastName" not in data
    assert data["alias"] == ["Ivan Petroff", "Jan Petrov", "Juan Petrov", "Иван Петров"]
    assert data["weakAlias"] == ["The Tester"]
    assert data["title"] == ["Colonel"]
    assert data["position"] == ["Commander of the Test Brigade"]
    assert data["nationality"] == ["ru"]
    assert "Nationality: Atlantis" in data["notes"]
    assert data["gender"] == ["male"]
    assert data["birthDate"] == ["1959", "1961-02-03", "1964", "1965", "1966"]
    assert data["birthPlace"] == ["Testgrad, Test Oblast, Russian Federation"]
    assert data["birthCountry"] == ["ru"]
    assert data["passportNumber"] == ["NP55", "P1234567"]
    assert data["idNumber"] == ["ID-998877"]
    assert "Passport: passport number Q1 expired in 2001" in data["notes"]
    assert data["address"] == ["1 Test Street, Testgrad, Georgia"]
    assert data["country"] == ["ge"]
    assert data["program"] == ["Testland"]
    assert "Made up for a test." in data["notes"]
    assert data["createdAt"] == ["2010-05-03"]


def test_un_entity(tmp_path: Path) -> None:
    entity = by_id(un_xml.read(write(tmp_path, "un.xml", UN_XML), "un-sc"))["TXe.001"]
    assert entity.where == "ENTITY TXe.001"
    data = props(entity)
    assert data["name"] == ["TEST TRADING COMPANY"]
    assert data["alias"] == ["TTC", "شركة الاختبار"]
    assert data["previousName"] == ["OLD TEST COMPANY"]
    assert data["address"] == ["Testabad, Afghanistan"]
    assert data["country"] == ["af"]
    assert data["createdAt"] == ["2015-07-01"]


def test_un_minimal_individual(tmp_path: Path) -> None:
    solo = by_id(un_xml.read(write(tmp_path, "un.xml", UN_XML), "un-sc"))["TXi.002"]
    assert props(solo) == {"name": ["SOLO"], "firstName": ["SOLO"]}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "CONSOLIDATED_LIST",
            "OTHER_LIST",
            "un.xml: root element 'OTHER_LIST' is not CONSOLIDATED_LIST",
        ),
        (
            "<REFERENCE_NUMBER>TXi.002</REFERENCE_NUMBER>",
            "",
            r"INDIVIDUAL 2 \(DATAID 1002\): REFERENCE_NUMBER: missing",
        ),
        (
            "<FIRST_NAME>TEST TRADING COMPANY</FIRST_NAME>",
            "",
            r"ENTITY 1 \(DATAID 2001\): FIRST_NAME: missing",
        ),
        (
            "TXi.002",
            "TXi.001",
            r"INDIVIDUAL 2 \(DATAID 1002\): REFERENCE_NUMBER 'TXi.001' already at"
            r" INDIVIDUAL 1 \(DATAID 1001\)",
        ),
        (
            "TXi.002",
            "TXi-001",
            r"INDIVIDUAL TXi-001: duplicate id 'TXi-001', already at INDIVIDUAL TXi.001",
        ),
        (
            "<TO_YEAR>1966</TO_YEAR>",
            "<TO_YEAR>1962</TO_YEAR>",
            r"INDIVIDUAL TXi.001: DATE_OF_BIRTH: not a range of years: 1964..1962",
        ),
        (
            "<SECOND_NAME>PETROV</SECOND_NAME>",
            "<SECOND_NAME>PETROV</SECOND>",
            r"un.xml line 7: Opening and ending tag mismatch",
        ),
    ],
)
def test_un_refuses(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in UN_XML
    path = write(tmp_path, "un.xml", UN_XML.replace(old, new))
    refused(message, un_xml.read, path, "un-sc")


# ---------------------------------------------------------------------------- OFAC CSV

SDN = [
    '101,"TESTOV, Ivan Petrovich","individual","SDGT] [IRGC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 03 Feb 1961; alt. DOB circa 1959; POB Testgrad, Russia; nationality Russia; '
    "citizen Atlantis; Passport P1234567 (Russia); National ID No. 99887766 (Russia); "
    "Gender Male; a.k.a. 'TESTY'; Linked To: TEST TRADING COMPANY; "
    'Email Address ivan@example.org; Phone Number 74951234567; Tax ID No. 7701"',
    '102,"TEST TRADING COMPANY",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Registration ID 1027700000000 (Russia); Tax ID No. 7701000000 (Russia); '
    "Website www.example.org; a.k.a. 'TTC'.\"",
    '103,"TEST CARRIER","vessel","IRAN",-0- ,"EPAB1","Crude Oil Tanker","150,000","80,000",'
    '"Iran","Test Shipping Ltd.","Vessel Registration Identification IMO 9100009; '
    'MMSI 422000000; Former Vessel Flag Malta; Linked To: TEST LINES."',
    '104,"EP-TST","aircraft","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Aircraft Manufacture Date 01 Apr 1992; Aircraft Model IL-76TD; '
    "Aircraft Manufacturer's Serial Number (MSN) 1023; Aircraft Tail Number EP-TST; "
    'Aircraft Operator TEST AIR."',
    '105,"SOLO",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
]
ALT = [
    '101,1,"aka","TESTOFF, Johnny",-0- ',
    '101,2,"aka","PETROVICH",-0- ',
    '102,3,"fka","OLD TEST COMPANY",-0- ',
    '102,4,"nka","NEW TEST COMPANY",-0- ',
    '102,5,"aka","TT CO","weak alias"',
]
ADD = [
    '101,1,"1 Test Street","Testgrad","Russia",-0- ',
    '102,2,-0- ,"Testabad","Atlantis","Head office"',
    "105,3,-0- ,-0- ,-0- ,-0- ",
]
COMMENTS = ['101,"5 (Russia)."']


def ofac_folder(tmp_path: Path, files: dict[str, list[str]], eof: str = "\r\n\x1a") -> Path:
    folder = tmp_path / "ofac"
    folder.mkdir(exist_ok=True)
    for name, lines in files.items():
        (folder / name).write_bytes(("\r\n".join(lines) + eof).encode("utf-8"))
    return folder


def sdn_folder(tmp_path: Path) -> Path:
    return ofac_folder(
        tmp_path, {"sdn.csv": SDN, "alt.csv": ALT, "add.csv": ADD, "sdn_comments.csv": COMMENTS}
    )


def test_ofac_individual(tmp_path: Path) -> None:
    entries = ofac_csv.read(sdn_folder(tmp_path), "ofac-sdn")
    assert [entry.schema for entry in entries] == [
        "Person",
        "Organization",
        "Vessel",
        "Airplane",
        "Organization",
    ]
    person = by_id(entries)["101"]
    assert person.id == "ofac-sdn-101"
    assert person.where == "sdn.csv line 1"
    data = props(person)
    assert data["name"] == ["Ivan Petrovich TESTOV"]
    assert data["lastName"] == ["TESTOV"]
    assert data["firstName"] == ["Ivan Petrovich"]
    assert data["alias"] == ["Johnny TESTOFF", "PETROVICH"]
    assert data["weakAlias"] == ["TESTY"]
    assert data["program"] == ["IRGC", "SDGT"]
    assert data["birthDate"] == ["1959", "1961-02-03"]
    assert data["birthPlace"] == ["Testgrad, Russia"]
    assert data["birthCountry"] == ["ru"]
    assert data["nationality"] == ["ru"]
    assert "Citizenship: Atlantis" in data["notes"]
    assert data["passportNumber"] == ["P1234567"]
    assert data["idNumber"] == ["99887766"]
    assert data["gender"] == ["male"]
    assert data["email"] == ["ivan@example.org"]
    assert data["phone"] == ["+74951234567"]
    # The comments file continues the remarks where the main file cut them, mid-word.
    assert data["taxNumber"] == ["77015"]
    [remarks] = [note for note in data["notes"] if note.startswith("DOB")]
    assert remarks.endswith("Tax ID No. 77015 (Russia).")
    assert data["address"] == ["1 Test Street, Testgrad, Russia"]
    assert data["country"] == ["ru"]


def test_ofac_organization_vessel_aircraft(tmp_path: Path) -> None:
    entries = by_id(ofac_csv.read(sdn_folder(tmp_path), "ofac-sdn"))
    company = props(entries["102"])
    assert company["name"] == ["TEST TRADING COMPANY"]
    assert company["alias"] == ["NEW TEST COMPANY"]
    assert company["previousName"] == ["OLD TEST COMPANY"]
    assert company["weakAlias"] == ["TT CO", "TTC"]
    assert company["registrationNumber"] == ["1027700000000"]
    assert company["taxNumber"] == ["7701000000"]
    assert company["website"] == ["http://www.example.org/"]
    assert company["address"] == ["Testabad, Atlantis"]
    assert {"Country: Atlantis", "Head office"} <= set(company["notes"])
    vessel = props(entries["103"])
    assert vessel["imoNumber"] == ["IMO9100009"]
    assert vessel["mmsi"] == ["422000000"]
    assert vessel["callSign"] == ["EPAB1"]
    assert vessel["type"] == ["Crude Oil Tanker"]
    assert vessel["flag"] == ["ir"]
    assert vessel["pastFlags"] == ["mt"]
    assert vessel["tonnage"] == ["150,000"]
    assert vessel["grossRegisteredTonnage"] == ["80,000"]
    assert "Vessel owner: Test Shipping Ltd." in vessel["notes"]
    plane = props(entries["104"])
    assert plane["model"] == ["IL-76TD"]
    assert plane["serialNumber"] == ["1023"]
    assert plane["buildDate"] == ["1992-04-01"]
    assert plane["registrationNumber"] == ["EP-TST"]
    assert props(entries["105"]) == {"name": ["SOLO"], "program": ["CUBA"]}


def test_ofac_companions_are_optional(tmp_path: Path) -> None:
    folder = ofac_folder(tmp_path, {"cons_prim.csv": SDN[1:2]}, eof="\r\n")
    [entry] = ofac_csv.read(folder, "ofac-cons")
    assert entry.where == "cons_prim.csv line 1"
    assert props(entry)["weakAlias"] == ["TTC"]


def test_ofac_main_file_may_be_named(tmp_path: Path) -> None:
    folder = sdn_folder(tmp_path)
    assert len(ofac_csv.read(folder / "sdn.csv", "ofac-sdn")) == 5


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"alt.csv": ALT}, r"ofac: holds neither sdn.csv nor cons_prim.csv"),
        ({"sdn.csv": [*SDN, "106,-0- "]}, r"sdn.csv line 6: 2 columns, expected 12"),
        (
            {"sdn.csv": [SDN[4].replace('"SOLO"', "-0- ")]},
            r"sdn.csv line 1: SDN_Name: must not be empty",
        ),
        (
            {"sdn.csv": [SDN[4].replace('-0- ,"CUBA"', '"ship","CUBA"')]},
            r"sdn.csv line 1: SDN_Type: 'ship' is not one of",
        ),
        (
            {"sdn.csv": [SDN[4], SDN[1], SDN[4]]},
            r"sdn.csv line 3: duplicate id '105', already at sdn.csv line 1",
        ),
        (
            {"sdn.csv": SDN, "alt.csv": ['999,1,"aka","NOBODY",-0- ']},
            r"alt.csv line 1: ent_num '999' is not in sdn.csv",
        ),
        ({"sdn.csv": SDN, "add.csv": ["101,1,-0- "]}, r"add.csv line 1: 3 columns, expected 6"),
        (
            {"sdn.csv": SDN, "sdn_comments.csv": ['998,"more"']},
            r"sdn_comments.csv line 1: ent_num '998'",
        ),
        (
            {"sdn.csv": [SDN[1], SDN[4].replace('"CUBA"', '"CU"BA"')]},
            r"sdn.csv line 2: ',' expected after '\"'",
        ),
    ],
)
def test_ofac_refuses(tmp_path: Path, files: dict[str, list[str]], message: str) -> None:
    refused(message, ofac_csv.read, ofac_folder(tmp_path, files), "ofac-sdn")


def test_ofac_line_numbers_count_multiline_remarks(tmp_path: Path) -> None:
    folder = ofac_folder(tmp_path, {"sdn.csv": [SDN[1].replace("; Tax", ";\r\nTax"), "106,-0- "]})
    refused(r"sdn.csv line 3: 2 columns", ofac_csv.read, folder, "ofac-sdn")


def test_ofac_windows_1252(tmp_path: Path) -> None:
    folder = tmp_path / "ofac"
    folder.mkdir()
    (folder / "sdn.csv").write_bytes(SDN[4].replace("SOLO", "SOL\u00c9").encode("cp1252"))
    [entry] = ofac_csv.read(folder, "ofac-sdn")
    assert entry.caption == "SOL\u00c9"


# ---------------------------------------------------------------------------- FtM JSON lines


def ftm_lines(*entities: dict[str, Any] | str) -> str:
    return (
        "\n".join(item if isinstance(item, str) else json.dumps(item) for item in entities) + "\n"
    )


PERSON = {
    "id": "NK-test1",
    "schema": "Person",
    "properties": {
        "name": ["Testa Persona"],
        "birthDate": ["1970-01-02"],
        "nationality": ["ru"],
        "religion": ["Testism"],
        "addressEntity": ["addr-1"],
    },
}
COMPANY = {
    "id": "NK-test2",
    "schema": "Company",
    "properties": {"name": "Test LLC", "jurisdiction": ["ru"]},
}
SANCTION = {"id": "NK-sanction", "schema": "Sanction", "properties": {"entity": ["NK-test1"]}}


def test_ftm_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "list.ftm.json", "\n" + ftm_lines(PERSON, SANCTION, COMPANY))
    result = ftm.scan(path, "os")
    assert result.skipped == {"Sanction": 1}
    person, company = result.entries
    assert (person.id, person.source_id, person.where) == ("os-nk-test1", "NK-test1", "line 2")
    assert props(person) == {
        "name": ["Testa Persona"],
        "birthDate": ["1970-01-02"],
        "nationality": ["ru"],
    }
    assert props(company) == {"name": ["Test LLC"], "jurisdiction": ["ru"]}
    assert [entry.digest() for entry in ftm.read(path, "os")] == [
        entry.digest() for entry in result.entries
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ((PERSON, "{not json"), r"line 2: not JSON: Expecting property name"),
        (("[1, 2]",), r"line 1: not a JSON object"),
        (({"schema": "Person", "properties": {}},), r"line 1: id: must be a non-empty string"),
        (({"id": "x", "properties": {}},), r"line 1: schema: must be a string"),
        (
            ({"id": "x", "schema": "Banana"},),
            r"line 1: schema: 'Banana' is not one of Person, Organization",
        ),
        (
            ({"id": "x", "schema": "Person", "properties": []},),
            r"line 1: properties: must be an object",
        ),
        (
            ({"id": "x", "schema": "Person", "properties": {"wingspan": ["2m"]}},),
            r"line 1: properties: Person has no 'wingspan'",
        ),
        (
            ({"id": "x", "schema": "Person", "properties": {"name": [1]}},),
            r"line 1: properties: name: must be a list of strings",
        ),
        ((PERSON, COMPANY, PERSON), r"line 3: duplicate id 'NK-test1', already at line 1"),
    ],
)
def test_ftm_refuses(tmp_path: Path, lines: tuple[Any, ...], message: str) -> None:
    refused(message, ftm.read, write(tmp_path, "list.ftm.json", ftm_lines(*lines)), "os")


# ---------------------------------------------------------------------------- plain CSV

CSV = (
    "id,name,schema,aliases,weak_aliases,first_name,last_name,birth_date,birth_place,nationality,"
    "gender,passport_number,id_number,imo_number,address,country,program,notes\n"
    "AZ-1,Testa Persona,,Testa P.; T. Persona,Tess,Testa,Persona,1970-01-02;1971,Testgrad,"
    'ru; Atlantis,female,P1;P2,ID9,,"1 Test St, Testgrad",ge,national,Made up\n'
    "AZ-2,Test Carrier,Vessel,,,,,,,,,,,9100009,,,,\n"
)


def test_csv_list(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode("utf-8"))
    person, vessel = csv_list.read(path, "az-national")
    assert (person.id, person.where, vessel.schema) == ("az-national-az-1", "line 2", "Vessel")
    assert props(person) == {
        "name": ["Testa Persona"],
        "alias": ["T. Persona", "Testa P."],
        "weakAlias": ["Tess"],
        "firstName": ["Testa"],
        "lastName": ["Persona"],
        "birthDate": ["1970-01-02", "1971"],
        "birthPlace": ["Testgrad"],
        "nationality": ["ru"],
        "gender": ["female"],
        "passportNumber": ["P1", "P2"],
        "idNumber": ["ID9"],
        "address": ["1 Test St, Testgrad"],
        "country": ["ge"],
        "program": ["national"],
        "notes": ["Made up", "Nationality: Atlantis"],
    }
    assert props(vessel) == {"name": ["Test Carrier"], "imoNumber": ["IMO9100009"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"header: missing"),
        (
            "id,name,colour,size\n",
            r"header: unknown columns colour, size \(known: id, name, schema",
        ),
        ("id,aliases\n", r"header: missing columns name"),
        ("id,name,name\n", r"header: repeated columns name"),
        ("id,name\n1,Testa\n2,\n", r"line 3: name: must not be empty"),
        ("id,name\n ,Testa\n", r"line 2: id: must not be empty"),
        (
            "id,name,birth_date\n1,Testa,31/12/1960\n",
            r"line 2: birth_date: '31/12/1960' is not a date",
        ),
        ("id,name,schema\n1,Testa,Banana\n", r"line 2: schema: 'Banana' is not one of Person"),
        (
            "id,name,schema,first_name\n1,Test LLC,Company,Testa\n",
            r"line 2: first_name: a Company has no firstName",
        ),
        ("id,name\n1,Testa,extra\n", r"line 2: 3 values, the header has 2"),
        ("id,name\n1,Testa\n\n1,Testa again\n", r"line 4: duplicate id '1', already at line 2"),
        ('id,name\n1,"Testa\n', r"line 2: unexpected end of data"),
        ('id,name\n1,"Tes"ta\n', r"line 2: ',' expected after '\"'"),
    ],
)
def test_csv_refuses(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "list.csv", text)
    refused(message, csv_list.read, path, "az-national")


def test_csv_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes("id,name\n1,Sol\u00e9\n".encode("cp1252"))
    refused(r"list.csv: not UTF-8", csv_list.read, path, "az-national")


# ---------------------------------------------------------------------------- the real lists


@pytest.fixture(scope="module")
def un_entries() -> list[ListEntry]:
    return un_xml.read(shared("un/un_sc_consolidated_2026-02-27.dev.xml"), "un-sc")


@pytest.fixture(scope="module")
def sdn_entries() -> list[ListEntry]:
    return ofac_csv.read(shared("ofac/sdn_2021-07"), "ofac-sdn")


@pytest.fixture(scope="module")
def cons_entries() -> list[ListEntry]:
    return ofac_csv.read(shared("ofac/cons_nonsdn"), "ofac-cons")


def test_real_un_list(un_entries: list[ListEntry]) -> None:
    assert len(un_entries) == 664
    assert Counter(entry.schema for entry in un_entries) == {"Person": 471, "Organization": 193}
    assert len({entry.id for entry in un_entries}) == 664
    # Every name in its original script (Arabic, Cyrillic) is an alias of its entry.
    root = etree.parse(str(shared("un/un_sc_consolidated_2026-02-27.dev.xml"))).getroot()
    entries = by_id(un_entries)
    originals = [
        (
            element.findtext("REFERENCE_NUMBER").strip(),
            " ".join(element.findtext("NAME_ORIGINAL_SCRIPT").split()),
        )
        for element in root.iter("INDIVIDUAL", "ENTITY")
        if (element.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
    ]
    assert len(originals) > 200
    for reference, original in originals:
        assert original in entries[reference].entity.get("alias")
    # A date of birth given as a range of years is each year of it.
    ranges = [
        (element.getparent().findtext("REFERENCE_NUMBER").strip(), element)
        for element in root.iter("INDIVIDUAL_DATE_OF_BIRTH")
        if element.findtext("TYPE_OF_DATE") == "BETWEEN"
    ]
    assert len(ranges) > 10
    for reference, element in ranges:
        first, last = int(element.findtext("FROM_YEAR")), int(element.findtext("TO_YEAR"))
        years = {str(year) for year in range(first, last + 1)}
        assert years <= set(entries[reference].entity.get("birthDate"))


def ofac_rows(folder: str, name: str) -> list[list[str]]:
    with shared(f"ofac/{folder}/{name}").open(encoding="utf-8", newline="") as lines:
        return [[cell.strip() for cell in row] for row in csv.reader(lines) if len(row) > 1]


def natural(name: str) -> str:
    last, _, given = name.partition(", ")
    return f"{given} {last}" if given else name


@pytest.mark.parametrize(
    ("folder", "alt", "fixture", "count", "aliases"),
    [
        ("sdn_2021-07", "alt.csv", "sdn_entries", 8976, 11910),
        ("cons_nonsdn", "cons_alt.csv", "cons_entries", 442, 1073),
    ],
)
def test_real_ofac_lists(
    request: pytest.FixtureRequest,
    folder: str,
    alt: str,
    fixture: str,
    count: int,
    aliases: int,
) -> None:
    entries: list[ListEntry] = request.getfixturevalue(fixture)
    assert len(entries) == count
    assert len({entry.id for entry in entries}) == count
    # Every row of the alias file is a name of its entry, in natural order for a person.
    found = by_id(entries)
    rows = ofac_rows(folder, alt)
    assert len(rows) == aliases
    for number, _, _, name, _ in rows:
        entity = found[number].entity
        names = {*entity.get("alias"), *entity.get("previousName"), *entity.get("weakAlias")}
        # FtM cleans names: spaces collapsed, quotes around the whole name dropped.
        expected = natural(name) if entity.schema.name == "Person" else name
        assert registry.name.clean(expected) in names


def test_real_ofac_individual(sdn_entries: list[ListEntry]) -> None:
    # The first individual whose remarks open with a full date of birth, checked against the
    # row itself: name in natural order, last name, the date as ISO.
    row = next(
        row
        for row in ofac_rows("sdn_2021-07", "sdn.csv")
        if row[2] == "individual"
        and ", " in row[1]
        and re.match(r"DOB \d\d [A-Z][a-z]{2} \d{4};", row[11])
    )
    dob = datetime.strptime(row[11][4:15], "%d %b %Y").date().isoformat()
    entity = by_id(sdn_entries)[row[0]].entity
    assert entity.get("name") == [natural(row[1])]
    assert entity.get("lastName") == [row[1].split(", ")[0]]
    assert dob in entity.get("birthDate")
    assert by_id(sdn_entries)[row[0]].where.startswith("sdn.csv line ")


def test_real_ofac_remarks_are_whole(sdn_entries: list[ListEntry]) -> None:
    # The comments file continues remarks the main file cut: the notes hold them joined.
    main = {row[0]: row[11] for row in ofac_rows("sdn_2021-07", "sdn.csv")}
    found = by_id(sdn_entries)
    comments = ofac_rows("sdn_2021-07", "sdn_comments.csv")
    assert comments
    for number, more in comments:
        whole = main[number] + more
        assert whole in found[number].entity.get("notes")


def test_real_ofac_vessels_have_imo_numbers(sdn_entries: list[ListEntry]) -> None:
    imo = re.compile(r"IMO (\d{7})")
    rows = [
        row
        for row in ofac_rows("sdn_2021-07", "sdn.csv")
        if row[2] == "vessel" and imo.search(row[11])
    ]
    assert len(rows) > 300
    found = by_id(sdn_entries)
    for row in rows:
        numbers = {f"IMO{number}" for number in imo.findall(row[11])}
        assert numbers <= set(found[row[0]].entity.get("imoNumber"))


@pytest.mark.parametrize(
    ("fmt", "relative", "fixture"),
    [
        ("un-xml", "un/un_sc_consolidated_2026-02-27.dev.xml", "un_entries"),
        ("ofac-csv", "ofac/sdn_2021-07", "sdn_entries"),
        ("ofac-csv", "ofac/cons_nonsdn", "cons_entries"),
    ],
)
def test_real_lists_read_twice_are_identical(
    request: pytest.FixtureRequest, fmt: str, relative: str, fixture: str
) -> None:
    path = shared(relative)
    first: list[ListEntry] = request.getfixturevalue(fixture)
    code = importers.default_list_code(fmt, path)
    assert code is not None
    again = importers.read(fmt, path, code)
    assert [entry.digest() for entry in again] == [entry.digest() for entry in first]
