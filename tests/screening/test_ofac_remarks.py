"""The OFAC remarks parser, one form of segment per case (made-up names and numbers)."""

from __future__ import annotations

from typing import Any

import pytest

from qalxan.screening.importers.ofac_remarks import Identifier, birth_dates, iso_date, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1962", "1962"),
        ("Jan 1962", "1962-01"),
        ("01 Jan 1960", "1960-01-01"),
        ("5 Sep 1958.", "1958-09-05"),
        ("31 Feb 1960", None),
        ("01 Foo 1960", None),
        ("circa 1960", None),
        ("", None),
    ],
)
def test_iso_date(text: str, expected: str | None) -> None:
    assert iso_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1962", ["1962"]),
        ("12 Mar 1971", ["1971-03-12"]),
        ("circa 1960", ["1960"]),
        ("circa 14 Jul 1960", ["1960"]),
        ("1960 to 1962", ["1960", "1961", "1962"]),
        ("01 Jan 1960 to 31 Dec 1962", ["1960", "1961", "1962"]),
        ("circa 1979-1982", ["1979", "1980", "1981", "1982"]),
        ("01 Mar 1975 to 31 Mar 1975", ["1975-03"]),
        ("1962 to 1960", []),
        ("sometime in the sixties", []),
    ],
)
def test_birth_dates(text: str, expected: list[str]) -> None:
    assert birth_dates(text) == expected


CASES: list[tuple[str, str, Any]] = [
    ("DOB 1962", "birth_dates", ["1962"]),
    ("alt. DOB 02 Feb 1963", "birth_dates", ["1963-02-02"]),
    ("DOB: 1970", "birth_dates", ["1970"]),
    ("POB Testville, Freedonia.", "birth_places", ["Testville, Freedonia"]),
    ("nationality Iraq", "nationalities", ["Iraq"]),
    ("citizen Korea, North.", "citizenships", ["Korea, North"]),
    ("Gender Female", "genders", ["Female"]),
    (
        "Passport A1234567 (Iraq) issued 01 Jan 2000 expires 01 Jan 2010",
        "passports",
        [Identifier("Passport", "A1234567", "Iraq")],
    ),
    (
        "alt. Passport Booklet: B765 (Testland)",
        "passports",
        [Identifier("Passport Booklet", "B765", "Testland")],
    ),
    ("Passport L 191609 issued 28 Feb 1996", "passports", [Identifier("Passport", "L 191609")]),
    ("National ID No. 123 (Iraq)", "id_numbers", [Identifier("National ID No.", "123", "Iraq")]),
    (
        "Cedula No. 99887766 (Colombia).",
        "id_numbers",
        [Identifier("Cedula No.", "99887766", "Colombia")],
    ),
    (
        "National ID No. D123456(7) (Hong Kong)",
        "id_numbers",
        [Identifier("National ID No.", "D123456(7)", "Hong Kong")],
    ),
    (
        "Tax ID No. 7701234567 (Russia)",
        "tax_numbers",
        [Identifier("Tax ID No.", "7701234567", "Russia")],
    ),
    (
        "NIT # 800123456-7 (Colombia)",
        "tax_numbers",
        [Identifier("NIT #", "800123456-7", "Colombia")],
    ),
    (
        "Registration Number 1027700000000 (Russia)",
        "registration_numbers",
        [Identifier("Registration Number", "1027700000000", "Russia")],
    ),
    (
        "Folio Mercantil No. 12345 (Jalisco) (Mexico).",
        "registration_numbers",
        [Identifier("Folio Mercantil No.", "12345", "Mexico")],
    ),
    ("Legal Entity Number 2534001234567890ABCD (Russia)", "lei_codes", ["2534001234567890ABCD"]),
    (
        "Legal Entity Number 851234567 (Netherlands)",
        "registration_numbers",
        [Identifier("Legal Entity Number", "851234567", "Netherlands")],
    ),
    ("Vessel Registration Identification IMO 9100009", "imo_numbers", ["9100009"]),
    ("Identification Number IMO 9000001.", "imo_numbers", ["9000001"]),
    ("Company Number IMO 5000001", "imo_numbers", ["5000001"]),
    ("MMSI 123456789", "mmsis", ["123456789"]),
    ("Email Address someone@example.org", "emails", ["someone@example.org"]),
    ("Website www.example.org.", "websites", ["www.example.org"]),
    ("http://www.example.org (website)", "websites", ["http://www.example.org"]),
    ("Phone Number 4930123456", "phones", ["4930123456"]),
    ("a.k.a. 'TBX'", "weak_aliases", ["TBX"]),
    ("a.k.a. 'DOE, Johnny'.", "weak_aliases", ["DOE, Johnny"]),
    ("f.k.a. 'OLD NAME'", "previous_names", ["OLD NAME"]),
    ("Linked To: EXAMPLE TRADING S.A.", "linked_to", ["EXAMPLE TRADING S.A."]),
    ("Linked To: EXAMPLE AIR.", "linked_to", ["EXAMPLE AIR"]),
    ("Former Vessel Flag Malta", "past_flags", ["Malta"]),
    ("Nationality of Registration Russia", "registration_countries", ["Russia"]),
    ("Aircraft Model A310-304", "models", ["A310-304"]),
    ("Aircraft Manufacturer's Serial Number (MSN) 1023409321", "serial_numbers", ["1023409321"]),
    (
        "Aircraft Construction Number (also called L/N or S/N or F/N) 8401",
        "serial_numbers",
        ["8401"],
    ),
    ("Aircraft Manufacture Date 01 Apr 1992", "build_dates", ["1992-04-01"]),
    (
        "Aircraft Tail Number YV1234",
        "registration_numbers",
        [Identifier("Aircraft Tail Number", "YV1234")],
    ),
    ("Aircraft Operator Example Air", "operators", ["Example Air"]),
    ("Organization Established Date 2010", "incorporation_dates", ["2010"]),
    ("Position: Director", "positions", ["Director"]),
]


@pytest.mark.parametrize(("text", "field", "expected"), CASES)
def test_segment(text: str, field: str, expected: Any) -> None:
    remarks = parse(text)
    assert getattr(remarks, field) == expected
    assert remarks.unparsed == []


@pytest.mark.parametrize(
    "text",
    [
        "Additional Sanctions Information - Subject to Secondary Sanctions",
        "Secondary sanctions risk: section 1(b) of Executive Order 13224, as amended",
        "Listing Date (EO 14024 Directive 3): 24 Feb 2022",
        "Digital Currency Address - XBT 1ExampleAddress",
        "Fax: 123456",
        "alt. Executive Order 13846 information: LOANS FROM UNITED STATES FINANCIAL INSTITUTIONS",
    ],
)
def test_programme_details_stay_in_the_notes_only(text: str) -> None:
    remarks = parse(text)
    assert remarks.unparsed == []
    assert all(not values for name, values in vars(remarks).items())


def test_full_remarks() -> None:
    remarks = parse(
        "DOB 1962; POB Testville.; nationality Iraq; citizen Iraq; Passport A1234567 (Iraq);"
        " Gender Male; a.k.a. 'TESTY'; alt. DOB 1963; Linked To: EXAMPLE GROUP;"
        " Scientific Example Center Employee."
    )
    assert remarks.birth_dates == ["1962", "1963"]
    assert remarks.birth_places == ["Testville"]
    assert remarks.citizenships == ["Iraq"]
    assert remarks.genders == ["Male"]
    assert remarks.weak_aliases == ["TESTY"]
    assert remarks.unparsed == ["Scientific Example Center Employee."]


@pytest.mark.parametrize("text", ["", ".", " ; ; "])
def test_empty(text: str) -> None:
    assert parse(text) == parse("")


def test_a_rule_that_cannot_read_its_value_leaves_the_segment_unparsed() -> None:
    assert parse("DOB sometime in the sixties").unparsed == ["DOB sometime in the sixties"]
