"""Enveloped XML signatures (XML-DSig) on the alerts the desk issues.

Optional: alerts are signed when ``QALXAN_ALERTS_SIGNING_KEY_PATH`` and
``QALXAN_ALERTS_SIGNING_CERT_PATH`` name a PEM private key (RSA or EC) and its X.509
certificate. There is no default key in any mode: an unconfigured desk issues unsigned alerts,
and a half or wrongly configured one issues nothing (an alert meant to be signed never leaves
unsigned).

The ``ds:Signature`` is the last child of ``alert``, where CAP 1.2 allows elements of the
XML-DSig namespace, so a signed alert still validates against the CAP schema. The signature
covers the whole alert (``URI=""``, enveloped-signature transform, exclusive C14N, SHA-256),
and is laid out exactly as :func:`~qalxan.alerts.write.write_alert` writes a signature back, so
that a signed alert read and written again is the same bytes and still verifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cryptography.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificatePublicKeyTypes,
    PublicKeyTypes,
)
from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps
from signxml.algorithms import SignatureConstructionMethod
from signxml.exceptions import SignXMLException
from signxml.signer import XMLSigner
from signxml.verifier import XMLVerifier

from qalxan.alerts.xmldoc import XMLDSIG, parse_xml
from qalxan.errors import InvalidInput
from qalxan.settings import Settings

PublicKey = CertificatePublicKeyTypes | PublicKeyTypes

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
KEY_SETTING = "alerts_signing_key_path"
CERT_SETTING = "alerts_signing_cert_path"


@dataclass(frozen=True)
class Signer:
    """A private key and its certificate (both PEM), and the algorithm the key signs with."""

    key: bytes
    cert: bytes
    algorithm: str  # "rsa-sha256" or "ecdsa-sha256"

    def sign(self, data: bytes) -> bytes:
        """``data`` (a CAP document as written by ``write_alert``) with its signature."""
        root = parse_xml(data, "alert")
        if len(root):
            root[-1].tail = "\n  "
        # signxml fills in a placeholder where it stands, so the text around the signature
        # (which the digest covers) is the layout write_alert gives it.
        placeholder = etree.SubElement(
            root, f"{{{XMLDSIG}}}Signature", Id="placeholder", nsmap={"ds": XMLDSIG}
        )
        placeholder.tail = "\n"
        signer = XMLSigner(
            method=SignatureConstructionMethod.enveloped,
            signature_algorithm=self.algorithm,
            digest_algorithm="sha256",
            c14n_algorithm=EXC_C14N,
        )
        signed = signer.sign(root, key=self.key, cert=self.cert.decode("ascii"))
        return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def verify(data: bytes, cert: bytes) -> None:
    """Check the signature of a signed alert against ``cert`` (PEM); :class:`InvalidInput`
    naming ``alert/Signature`` when it does not verify."""
    try:
        XMLVerifier().verify(data, x509_cert=cert.decode("ascii"))
    except (SignXMLException, cryptography.exceptions.InvalidSignature) as error:
        raise InvalidInput(
            f"alert/Signature: does not verify: {error}", field="alert/Signature"
        ) from error


def load_signer(settings: Settings) -> Signer | None:
    """The configured signer; None when signing is not configured. :class:`InvalidInput`
    naming the setting when it is configured wrongly."""
    key_path = settings.alerts_signing_key_path
    cert_path = settings.alerts_signing_cert_path
    if key_path is None and cert_path is None:
        return None
    if key_path is None or cert_path is None:
        missing = KEY_SETTING if key_path is None else CERT_SETTING
        raise InvalidInput(
            f"QALXAN_{missing.upper()}: needed too when alerts are signed", field=missing
        )
    key_pem, cert_pem = _read(key_path, KEY_SETTING), _read(cert_path, CERT_SETTING)
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as error:
        raise _bad(KEY_SETTING, f"not an unencrypted PEM private key: {error}") from error
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as error:
        raise _bad(CERT_SETTING, f"not a PEM certificate: {error}") from error
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm = "rsa-sha256"
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = "ecdsa-sha256"
    else:
        raise _bad(KEY_SETTING, "an RSA or EC key is needed")
    if _public(cert.public_key()) != _public(key.public_key()):
        raise _bad(CERT_SETTING, "the certificate is not the signing key's")
    return Signer(key_pem, cert_pem, algorithm)


def _public(key: PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise _bad(setting, f"cannot read {path}: {error.strerror}") from error


def _bad(setting: str, reason: str) -> InvalidInput:
    return InvalidInput(f"QALXAN_{setting.upper()}: {reason}", field=setting)
