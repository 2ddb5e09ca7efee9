"""A real SMTP server on loopback for the e-mail tests (aiosmtpd): plain, or with STARTTLS and
login under a certificate made for the test. Nothing leaves the machine."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
USER, PASSWORD = "qalxan", "correct horse battery staple"
REFUSED = "nobody@example.org"


@dataclass
class Mailbox:
    """What the server received; ``port``; ``trust``: a client context that trusts its
    certificate (TLS servers only)."""

    port: int
    trust: ssl.SSLContext | None = None
    mail: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.box.mail.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(tmp_path: Path | None = None) -> Iterator[Mailbox]:
    """A server; with ``tmp_path``, one that requires STARTTLS and a login."""
    box = Mailbox(free_port())
    options: dict[str, Any] = {}
    if tmp_path is not None:
        cert, key = certificate(tmp_path)
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(cert, key)
        box.trust = ssl.create_default_context(cafile=str(cert))

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
                USER.encode(),
                PASSWORD.encode(),
            )
            if ok:
                box.logins.append(USER)
            return AuthResult(success=ok, handled=False)

        options = {
            "tls_context": server_tls,
            "require_starttls": True,
            "authenticator": authenticate,
            "auth_required": True,
        }
    controller = Controller(Handler(box), hostname=HOST, port=box.port, **options)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qalxan test smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
