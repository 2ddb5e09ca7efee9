"""The signed oversight report: statistics and anomalies of a period, as canonical JSON.

The report names the audit chain's head (seq and hash) when it was made, so that it can be
tied to the trail it was computed from, and carries an Ed25519 signature by the platform key
over the canonical JSON (sorted keys, no spaces, UTF-8) of everything but the ``signature``
member. Anyone with the platform's public key can check it; editing one figure breaks it.
The generation is audited with the digest of the signed content.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from qalxan.access import audit, signing
from qalxan.access.anomalies import detect
from qalxan.access.oversight import access_stats, oversight_view, summary_figures
from qalxan.access.periods import Clock, Period
from qalxan.access.tables import AuditHeadRow
from qalxan.errors import InvalidInput

FORMAT = "qalxan-oversight-report/1"
ALGORITHM = "Ed25519"


def signed_bytes(report: dict[str, Any]) -> bytes:
    """What the signature covers: the canonical JSON of the report without ``signature``."""
    body = {k: v for k, v in report.items() if k != "signature"}
    return audit.canonical(body).encode("utf-8")


def build(
    ctx: audit.Context,
    period: Period,
    clock: Clock,
    signer: signing.Signer,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed report of ``period`` (needs ``oversight:read``; audited)."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with oversight_view(ctx, "report", period) as rec:
        session = rec.session
        head = session.execute(
            select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == audit.HEAD_ID)
        ).one()
        body = {
            "format": FORMAT,
            "generated_at": audit.timestamp(at),
            "generated_by": {
                "username": ctx.principal.username,
                "agency": ctx.principal.agency_id,
                "via": ctx.principal.via,
            },
            "period": {
                **period.to_dict(),
                "timezone": clock.zone.key,
                "working_hours": f"{clock.start:%H:%M}-{clock.end:%H:%M}",
            },
            "audit_chain_head": {"seq": head.seq, "hash": head.hash},
            "access": access_stats(session, period).to_dict(),
            "summary": summary_figures(session, period, at),
            "anomalies": [a.to_dict() for a in detect(session, period, clock)],
        }
        # Normalised through JSON so that what is signed is exactly what a reader will parse.
        report: dict[str, Any] = json.loads(audit.canonical(body))
        message = signed_bytes(report)
        report["signature"] = {
            "algorithm": ALGORITHM,
            "key_id": signer.key_id,
            "public_key": signing.public_pem(signer.public),
            "value": signer.sign(message),
        }
        rec.entry.detail["digest"] = hashlib.sha256(message).hexdigest()
    return report


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    key_id: str | None = None
    # False when checked against the key inside the report: that proves the report is intact,
    # not who made it.
    trusted_key: bool = False


def verify(text: str | bytes, public_key: Ed25519PublicKey | None = None) -> Verification:
    """Check a report's signature, against ``public_key`` or (weaker) the key it embeds."""
    try:
        report = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"report: not JSON ({exc})", field="report") from exc
    if not isinstance(report, dict) or not isinstance(report.get("signature"), dict):
        return Verification(False, "the report has no signature")
    signature: dict[str, Any] = report["signature"]
    if signature.get("algorithm") != ALGORITHM:
        return Verification(
            False, f"unsupported signature algorithm {signature.get('algorithm')!r}"
        )
    claimed = signature.get("key_id")
    key = public_key
    if key is None:
        key = signing.load_public(str(signature.get("public_key", "")))
    if signing.key_id(key) != claimed:
        return Verification(
            False,
            f"signed by key {claimed}, not by key {signing.key_id(key)}",
            claimed,
            public_key is not None,
        )
    if not signing.verify(key, signed_bytes(report), str(signature.get("value", ""))):
        return Verification(
            False, "the signature does not match the content (the report was changed)", claimed
        )
    return Verification(True, "the signature is valid", claimed, public_key is not None)
