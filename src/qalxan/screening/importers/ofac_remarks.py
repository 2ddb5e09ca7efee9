"""The Remarks column of OFAC's legacy CSV, read into fields.

OFAC packs most of what it knows about a party into one free-text column: ``DOB 1962; POB
Testville.; nationality Iraq; Passport A1234567 (Iraq); a.k.a. 'TESTY'; Linked To: X``. The
text is split on ``;`` and each segment is read by the first rule whose label it starts with.
Segments no rule reads stay in :attr:`Remarks.unparsed`; the whole text is kept as the entity's
notes anyway, so nothing is lost, only not indexed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

_MONTH_NAMES = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}
_DATE = re.compile(r"(?:(\d{1,2})\s*)?(?:([A-Za-z]{3})[a-z]*\.?\s+)?(\d{4})")


def iso_date(text: str) -> str | None:
    """``01 Jan 1960`` -> ``1960-01-01``, ``Jan 1960`` -> ``1960-01``, ``1960`` -> ``1960``."""
    found = _DATE.fullmatch(text.strip().rstrip("."))
    if found is None:
        return None
    day, month_name, year = found.groups()
    if month_name is None:
        return year if day is None else None
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    if day is None:
        return f"{year}-{month:02d}"
    try:
        return date(int(year), month, int(day)).isoformat()
    except ValueError:  # 31 Feb
        return None


def birth_dates(text: str) -> list[str]:
    """The dates a DOB stands for. ``circa 1960`` is the year (a matcher allows a year or two
    either side anyway); a range ``1960 to 1962`` (or ``1960-1962``) is every year in it, or
    the month both ends share when the range lies within one month."""
    text = text.strip().rstrip(".")
    circa = re.match(r"circa\s+", text)
    if circa is not None:
        text = text[circa.end() :]
    single = iso_date(text)
    if single is not None:
        return [single[:4]] if circa else [single]
    ends = re.split(r"\s+to\s+|(?<=^\d{4})-(?=\d{4}$)", text)
    if len(ends) != 2:
        return []
    start, end = iso_date(ends[0]), iso_date(ends[1])
    if start is None or end is None or end < start:
        return []
    if len(start) >= 7 and start[:7] == end[:7]:
        return [start[:7]]
    return [str(year) for year in range(int(start[:4]), int(end[:4]) + 1)]


@dataclass(frozen=True)
class Identifier:
    """A number as OFAC writes it: ``Cedula No. 123 (Colombia)`` has the kind ``Cedula No.``."""

    kind: str
    number: str
    country: str | None = None


@dataclass
class Remarks:
    """What the remarks of one entry say, field by field; ``unparsed`` is what no rule read."""

    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    passports: list[Identifier] = field(default_factory=list)
    id_numbers: list[Identifier] = field(default_factory=list)
    tax_numbers: list[Identifier] = field(default_factory=list)
    registration_numbers: list[Identifier] = field(default_factory=list)
    lei_codes: list[str] = field(default_factory=list)
    imo_numbers: list[str] = field(default_factory=list)
    mmsis: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    previous_names: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    past_flags: list[str] = field(default_factory=list)
    vessel_types: list[str] = field(default_factory=list)
    registration_countries: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    serial_numbers: list[str] = field(default_factory=list)
    operators: list[str] = field(default_factory=list)
    build_dates: list[str] = field(default_factory=list)
    incorporation_dates: list[str] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)


Handler = Callable[[Remarks, "re.Match[str]"], bool]


def _to(name: str, convert: Callable[[str], list[str]] = lambda value: [value]) -> Handler:
    """A handler appending the converted ``value`` group to the list field ``name``."""

    def handle(remarks: Remarks, found: re.Match[str]) -> bool:
        values = convert(found["value"].strip())
        getattr(remarks, name).extend(values)
        return bool(values)

    return handle


def _date(text: str) -> list[str]:
    found = iso_date(text)
    return [] if found is None else [found]


def _name(text: str) -> list[str]:
    """A name without the period ending the remarks, but with the one of ``S.A.``."""
    return [re.sub(r"(?<!\b[A-Za-z])\.$", "", text)]


_NUMBER = re.compile(
    r"[:#]?\s*(?P<number>.+?)(?:\s+\((?P<country>[^()]+)\))?"
    r"(?:\s+(?:issued|expires|Issue Date|Expire Date)\b.*)?\.?"
)


def _number(name: str) -> Handler:
    """A handler appending an :class:`Identifier`: the number, then ``(Country)``, then any
    ``issued ...``/``expires ...`` (dropped: the full text stays in the notes)."""

    def handle(remarks: Remarks, found: re.Match[str]) -> bool:
        parts = _NUMBER.fullmatch(found["value"].strip())
        if parts is None:
            return False
        number = re.sub(r"(?:\s+\([^()]+\))+$", "", parts["number"]).strip()
        kind = " ".join(found["kind"].split())
        getattr(remarks, name).append(Identifier(kind, number, parts["country"]))
        return True

    return handle


# The labels OFAC writes before a number, by the field the number goes to, "|" between them.
# Longer labels are tried first, so that "Passport Booklet" wins over "Passport".
_NUMBER_LABELS = {
    "passports": "Passport | Diplomatic Passport | Passport Booklet | Travel Document Number"
    " | Stateless Person Passport | Refugee Travel Document | Service Passport"
    " | British National Overseas Passport",
    "tax_numbers": "Tax ID No. | NIT # | RUC # | R.F.C. | RFC | C.U.I.T. | C.U.I.P. | CUIT"
    " | V.A.T. Number | US FEIN | RIF # | RTN | Tax Identification Number | Tax ID | INN"
    " | Italian Fiscal Code | C.I.F. | Numero Unico de Identificacao Tributaria (NUIT)"
    " | Fiscal Code | Romanian Tax Registration | RSIN | Paraguayan tax identification number",
    "registration_numbers": "Registration ID | Registration Number | Registration No."
    " | Government Gazette Number | Company Number | Company ID No. | Business Number"
    " | Commercial Registry Number | Commercial Registry No. | Business Registration Number"
    " | Business Registration Document # | Public Registration Number"
    " | Chamber of Commerce Number | Dubai Chamber of Commerce Membership No."
    " | Folio Mercantil No. | Matricula Mercantil No | Matricula Mercantil No. | C.R. No."
    " | Trade License No. | Trade License Number | License | UK Company Number"
    " | Unified Social Credit Code (USCC) | United Social Credit Code Certificate (USCCC)"
    " | Certificate of Incorporation Number | Enterprise Number | Registered Charity No."
    " | Branch Unit Number | D-U-N-S Number | BIK (RU) | SWIFT/BIC | Aircraft Tail Number"
    " | Economic Register Number (CBLS) | Previous Aircraft Tail Number | File Number"
    " | Legal Entity Number | Company ID | Romanian C.R. | Istanbul Chamber of Comm. No."
    " | MSB Registration Number | Central Registration System Number | Tourism License No."
    " | SRE Permit No.",
    "id_numbers": "National ID No. | Cedula No. | D.N.I. | Identification Number"
    " | Personal ID Card | Residency Number | Birth Certificate Number | Driver's License No."
    " | SSN | Social Security Number | National Foreign ID Number | C.U.R.P. | CURP #"
    " | Electoral Registry No. | Kenyan ID No. | Credencial electoral | I.F.E. | NIE"
    " | Turkish Identification Number | Numero de Identidad | Identity Card | Refugee ID Card"
    " | Cartilla de Servicio Militar Nacional | Immigration No. | Military Registration Number"
    " | Personal Identification Number | Afghan Tazkira No. | Moroccan Personal ID No."
    " | Tazkira National ID Card | VisaNumberID | Citizen's Card Number | C.U.I. | LE Number"
    " | N.I.E. | Bosnian Personal ID No. | Stateless Person ID Card | CNP | UAE Identification"
    " | Public Security and Immigration No. | Pilot License Number | Tarjeta Profesional"
    " | Seafarer's Identification Document",
}


def _alternation(labels: str) -> str:
    """A regex alternation of the ``|``-separated ``labels``, the longest first."""
    names = sorted((label.strip() for label in labels.split("|")), key=len, reverse=True)
    return "|".join(re.escape(name) for name in names)


# Segments kept only in the notes, on purpose: sanctions programme details and data that no
# property of the screened schemata holds (digital currency addresses, stock tickers).
_NOTES_ONLY = (
    "Additional Sanctions Information | Secondary sanctions risk | Transactions Prohibited"
    " | Executive Order | For more information | Listing Date | Effective Date"
    " | Purchase/Sales For Divestment Date | Target Type | ISIN | Equity Ticker"
    " | Digital Currency Address | Fax | CAATSA Section | Organization Type | Aircraft Mode S"
    " | Chinese Commercial Code | Issuer Name | IFCA Determination | all offices worldwide"
    " | all branches worldwide"
)

_RULES: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE if flags else 0), handler)
    for pattern, flags, handler in (
        (r"DOB:?\s+(?P<value>.+)", 0, _to("birth_dates", birth_dates)),
        (r"POB:?\s+(?P<value>.+?)\.?", 0, _to("birth_places")),
        (r"Nationality of Registration\s+(?P<value>.+?)\.?", 0, _to("registration_countries")),
        (r"nationality:?\s+(?P<value>.+?)\.?", 1, _to("nationalities")),
        (r"citizen\s+(?P<value>.+?)\.?", 1, _to("citizenships")),
        (r"Gender\s+(?P<value>Male|Female)\.?", 0, _to("genders")),
        (r"a\.k\.a\.,?\s+'(?P<value>.+)'\.?", 0, _to("weak_aliases")),
        (r"f\.k\.a\.,?\s+'(?P<value>.+)'\.?", 0, _to("previous_names")),
        (r"Position:?\s+(?P<value>.+?)\.?", 0, _to("positions")),
        (r"Other Vessel Type\s+(?P<value>.+?)\.?", 0, _to("vessel_types")),
        (r"Linked To:\s*(?P<value>.+)", 0, _to("linked_to", _name)),
        (
            r"(?:Vessel Registration Identification|Identification Number|Company Number)"
            r"\s+IMO\s*(?P<value>\d{7})\.?",
            0,
            _to("imo_numbers"),
        ),
        (r"MMSI\s+(?P<value>\d+)\.?", 0, _to("mmsis")),
        (r"Email(?: Address)?[:\s]\s*(?P<value>\S+?)\.?", 1, _to("emails")),
        (r"Website:?\s+(?P<value>\S+?)\.?", 1, _to("websites")),
        (r"(?P<value>https?://\S+?)\s*\(website\)\.?", 1, _to("websites")),
        (r"(?:Phone Number|Telephone(?: No\.)?|Phone)[:\s]+(?P<value>.+?)\.?", 1, _to("phones")),
        (r"Former Vessel Flag\s+(?P<value>.+?)\.?", 0, _to("past_flags")),
        (r"Aircraft Model\s+(?P<value>.+?)\.?", 0, _to("models")),
        (r"Aircraft Operator\s+(?P<value>.+?)\.?", 0, _to("operators")),
        (
            r"Aircraft (?:Manufacturer's Serial Number \(MSN\)|Construction Number "
            r"\(also called L/N or S/N or F/N\)|Serial Identification)\s+(?P<value>.+?)\.?",
            0,
            _to("serial_numbers"),
        ),
        (r"Aircraft Manufacture Date\s+(?P<value>.+)", 0, _to("build_dates", _date)),
        (r"Vessel Year of Build\s+(?P<value>\d{4})\.?", 0, _to("build_dates")),
        (r"Organization Established Date\s+(?P<value>.+)", 0, _to("incorporation_dates", _date)),
        (
            r"Legal Entity Number\s+(?P<value>[A-Z0-9]{20})(?:\s*\([^()]+\))?\.?",
            0,
            _to("lei_codes"),
        ),
        *(
            (rf"(?P<kind>{_alternation(labels)})(?![A-Za-z])\s*(?P<value>\S.*)", 0, _number(name))
            for name, labels in _NUMBER_LABELS.items()
        ),
        (rf"(?:{_alternation(_NOTES_ONLY)})\b.*", 1, lambda remarks, found: True),
    )
)


def parse(text: str) -> Remarks:
    """The fields of one entry's full remarks (the main file's column plus any continuation)."""
    remarks = Remarks()
    for raw in text.split(";"):
        segment = raw.strip()
        if not segment or segment == ".":
            continue
        body = re.sub(r"^alt\.\s+", "", segment, flags=re.IGNORECASE)
        for pattern, handle in _RULES:
            found = pattern.fullmatch(body)
            if found is not None and handle(remarks, found):
                break
        else:
            remarks.unparsed.append(segment)
    return remarks
