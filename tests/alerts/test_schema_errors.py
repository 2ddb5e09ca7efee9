"""Schema errors as element paths with plain reasons."""

from __future__ import annotations

from qalxan.alerts import read_document
from qalxan.alerts.report import Problem
from tests.alerts.shared import xml


def problems(data: bytes) -> list[str]:
    (reading,) = read_document(data).readings
    assert reading.alert is None
    return [str(problem) for problem in reading.report.errors]


def test_z_is_not_a_cap_offset() -> None:
    (found,) = problems(xml("2025-03-01T10:00:00+04:00", "2025-03-01T06:00:00Z"))
    assert found.startswith("alert/sent: '2025-03-01T06:00:00Z' is not a CAP timestamp")
    assert "-00:00 for UTC; no 'Z'" in found


def test_fractions_of_a_second_are_refused() -> None:
    (found,) = problems(
        xml("<expires>2025-03-02T10:00:00+04:00", "<expires>2025-03-02T10:00:00.5+04:00")
    )
    assert found.startswith("alert/info[1]/expires: '2025-03-02T10:00:00.5+04:00' is not a CAP")


def test_enumerations_list_the_allowed_codes() -> None:
    assert problems(xml("<severity>Severe", "<severity>Bad")) == [
        "alert/info[1]/severity: 'Bad' is not one of: Extreme, Severe, Moderate, Minor, Unknown"
    ]


def test_types() -> None:
    data = xml(
        "<circle>40.4,49.86 10</circle>", "<circle>40.4,49.86 10</circle><altitude>high</altitude>"
    )
    assert problems(data) == ["alert/info[1]/area[1]/altitude: 'high' is not a decimal number"]
    data = xml("<language>az</language>", "<language>not a language</language>")
    assert problems(data) == [
        "alert/info[1]/language: 'not a language' is not an RFC 3066 language tag"
    ]


def test_missing_required_elements_are_named() -> None:
    assert problems(xml("<event>Güclü külək</event>")) == [
        "alert/info[1]/event: required element missing (before urgency)"
    ]
    assert problems(xml("<certainty>Likely</certainty>")) == [
        "alert/info[1]/certainty: required element missing (before expires)"
    ]
    assert problems(xml("<identifier>AZ-FHN-2025-0001</identifier>")) == [
        "alert/identifier: required element missing (before sender)"
    ]


def test_a_resource_without_mime_type() -> None:
    data = xml("<area>", "<resource><resourceDesc>map</resourceDesc></resource><area>")
    assert problems(data) == ["alert/info[1]/resource[1]/mimeType: required element missing"]


def test_order_duplicates_and_unknown_elements() -> None:
    data = xml("<headline>Bakıda güclü külək gözlənilir</headline>", "")
    data = data.replace(b"<expires>", b"<headline>H</headline><expires>", 1)
    assert problems(data) == [
        "alert/info[1]/expires: out of order: CAP puts expires before headline"
    ]
    resource = "<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType></resource>"
    assert problems(xml("</area>", f"</area>{resource}")) == [
        "alert/info[1]/resource[1]: out of order: CAP puts resource before area"
    ]
    data = xml("<scope>Public</scope>", "<scope>Public</scope><scope>Public</scope>")
    assert problems(data) == ["alert/scope[2]: scope may appear only once"]
    data = xml("<areaDesc>Bakı</areaDesc>", "<areaDesc>Bakı</areaDesc><Type>County</Type>")
    assert problems(data) == [
        "alert/info[1]/area[1]/Type: unknown element Type: CAP 1.2 area has no such element"
    ]
    data = xml(
        "<scope>Public</scope>", '<scope>Public</scope><x:note xmlns:x="urn:other">n</x:note>'
    )
    assert problems(data) == [
        "alert/note: unknown element {urn:other}note: CAP 1.2 alert has no such element"
    ]


def test_every_error_is_returned_with_its_line() -> None:
    data = xml("<status>Actual", "<status>Real").replace(b"<urgency>Expected", b"<urgency>Soon")
    (reading,) = read_document(data).readings
    assert [(p.path, p.line) for p in reading.report.errors] == [
        ("alert/status", 6),
        ("alert/info[1]/urgency", 13),
    ]
    assert isinstance(reading.report.errors[0], Problem)


def test_signatures_in_the_xmldsig_namespace_are_allowed() -> None:
    signature = '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>'
    (reading,) = read_document(xml("</info>", f"</info>{signature}")).readings
    assert reading.ok
    assert reading.alert is not None and reading.alert.signatures == (signature,)
