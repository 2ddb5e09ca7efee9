"""The platform's Ed25519 signing key: audit checkpoints and oversight reports are signed with it.

Anyone holding the public key can check a signature; editing the database is not enough to
forge one. In development a key is made once in the data directory; in production the key file
must exist (``qalxan audit keygen`` makes one) or the platform refuses to start.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from qalxan.errors import Conflict, InvalidInput


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public(pem: str | bytes) -> Ed25519PublicKey:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise InvalidInput(f"public key: not a PEM public key ({exc})", field="public_key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("public key: not an Ed25519 key", field="public_key")
    return key


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode("ascii")


def verify(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def generate(path: Path) -> Signer:
    """Write a new private key to ``path`` (never over an existing one)."""
    if path.exists():
        raise Conflict(f"{path} exists already; refusing to replace a signing key")
    private = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return Signer(private)


def load(path: Path) -> Signer:
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise InvalidInput(
            f"signing key file {path} does not exist", field="audit_signing_key"
        ) from None
    except ValueError as exc:
        raise InvalidInput(
            f"{path}: not a PEM private key ({exc})", field="audit_signing_key"
        ) from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise InvalidInput(f"{path}: not an Ed25519 key", field="audit_signing_key")
    return Signer(private)
