"""Signed alerts: an enveloped XML signature that the CAP schema accepts, signxml verifies, and
that survives reading and writing the alert again; a wrong configuration issues nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from qalxan.alerts import desk, parse_alert, write_alert
from qalxan.alerts.schema import cap_schema
from qalxan.alerts.signing import load_signer, verify
from qalxan.alerts.xmldoc import parse_xml
from qalxan.errors import InvalidInput
from qalxan.settings import Settings
from tests.alerts.desk_shared import Cast, audits, form, make_cast


def key_files(folder: Path, key: PrivateKeyTypes, name: str = "signer") -> tuple[Path, Path]:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mes.gov.az alerts")])
    now = datetime.now(UTC)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, algorithm)  # type: ignore[arg-type]
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def signing(settings: Settings, key: Path | None, cert: Path | None) -> Settings:
    return settings.model_copy(
        update={"alerts_signing_key_path": key, "alerts_signing_cert_path": cert}
    )


def approved(cast: Cast, settings: Settings) -> str:
    row = desk.create(cast.author, settings, form())
    desk.submit(cast.author, row.id)
    return desk.approve(cast.approver, row.id).id


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_a_signed_alert_validates_verifies_and_round_trips(
    engine: Engine, settings: Settings, tmp_path: Path, kind: str
) -> None:
    cast = make_cast(engine, settings)
    key = (
        ec.generate_private_key(ec.SECP256R1())
        if kind == "ec"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    key_path, cert_path = key_files(tmp_path, key)
    signed_settings = signing(settings, key_path, cert_path)
    row = desk.issue(cast.author, signed_settings, approved(cast, settings))
    assert row.signed
    data = row.xml.encode("utf-8")
    assert cap_schema().validate(parse_xml(data))
    verify(data, cert_path.read_bytes())
    alert = parse_alert(data)
    (signature,) = alert.signatures
    assert "ds:X509Certificate" in signature and "xml-exc-c14n" in signature
    assert write_alert(alert) == data  # read and written again: the same bytes, still signed
    assert audits(engine, "alert.issue")[0].detail["signed"] is True

    tampered = data.replace(b"<severity>Severe", b"<severity>Minor")
    with pytest.raises(InvalidInput) as caught:
        verify(tampered, cert_path.read_bytes())
    assert caught.value.field == "alert/Signature"
    _, other_cert = key_files(tmp_path, ec.generate_private_key(ec.SECP256R1()), "other")
    with pytest.raises(InvalidInput):
        verify(data, other_cert.read_bytes())


def test_no_key_configured_means_no_signature(engine: Engine, settings: Settings) -> None:
    assert load_signer(settings) is None
    cast = make_cast(engine, settings)
    row = desk.issue(cast.author, settings, approved(cast, settings))
    assert not row.signed and b"Signature" not in row.xml.encode()


def test_a_wrong_configuration_issues_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    cast = make_cast(engine, settings)
    alert_id = approved(cast, settings)
    key_path, cert_path = key_files(tmp_path, ec.generate_private_key(ec.SECP256R1()))
    _, stranger = key_files(tmp_path, ec.generate_private_key(ec.SECP256R1()), "stranger")
    _, ed_cert = key_files(tmp_path, ed25519.Ed25519PrivateKey.generate(), "ed")
    ed_key = tmp_path / "ed.key"
    cases = [
        (signing(settings, key_path, None), "alerts_signing_cert_path", "needed too"),
        (signing(settings, None, cert_path), "alerts_signing_key_path", "needed too"),
        (signing(settings, key_path, stranger), "alerts_signing_cert_path", "not the signing"),
        (signing(settings, cert_path, cert_path), "alerts_signing_key_path", "private key"),
        (signing(settings, key_path, key_path), "alerts_signing_cert_path", "certificate"),
        (signing(settings, tmp_path / "gone", cert_path), "alerts_signing_key_path", "read"),
        (signing(settings, ed_key, ed_cert), "alerts_signing_key_path", "RSA or EC"),
    ]
    for wrong, field, reason in cases:
        with pytest.raises(InvalidInput, match=reason) as caught:
            desk.issue(cast.author, wrong, alert_id)
        assert caught.value.field == field
        assert caught.value.message.startswith(f"QALXAN_{field.upper()}: ")
    assert desk.get(cast.author, alert_id).state == "approved"
    assert {a.outcome for a in audits(engine, "alert.issue")} == {"invalid"}
