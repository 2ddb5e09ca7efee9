"""The signed oversight report: it verifies, a changed figure or a foreign key does not."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from qalxan.access import reports, signing
from qalxan.access.audit import HEAD_ID, Context
from qalxan.access.periods import Clock, Period
from qalxan.access.tables import AuditHeadRow
from qalxan.bootstrap import signer, trail
from qalxan.errors import Forbidden, InvalidInput
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.access.synthetic import BAKU, actions, actor, append, baku, event, read

CLOCK = Clock.parse("08:00-19:00", "Asia/Baku")
MARCH = Period.of(datetime(2026, 3, 1), datetime(2026, 4, 1), BAKU)
OVERSEER = actor("overseer", "agency-ssscis", ("oversight",))


def make_report(engine: Engine, settings: Settings) -> dict[str, Any]:
    alice = actor("alice", "agency-mia")
    append(
        engine,
        settings,
        [
            read(baku(2026, 3, 10, 10), alice),
            read(baku(2026, 3, 14, 22), alice, "agency-sbs"),  # a Saturday night, another agency
            event(baku(2026, 3, 11, 9), alice, "case.open", record_type="case"),
        ],
    )
    ctx = Context(OVERSEER, trail(settings, engine))
    return reports.build(ctx, MARCH, CLOCK, signer(settings), now=datetime(2026, 4, 1, tzinfo=UTC))


def test_the_report_verifies_and_names_the_chain_head(engine: Engine, settings: Settings) -> None:
    report = make_report(engine, settings)
    public = signer(settings).public
    text = reports.dumps(report)
    result = reports.verify(text, public)
    assert result.valid and result.trusted_key and result.key_id == signing.key_id(public)

    assert report["format"] == reports.FORMAT
    head = report["audit_chain_head"]
    assert head == {"seq": 3, "hash": actions(engine, "case.open")[0].hash}
    with transaction(engine) as session:
        now = session.get(AuditHeadRow, HEAD_ID)
        assert now is not None and now.seq == 4  # the report's own audit record came after
    signature = report["signature"]
    assert signature["public_key"] == signing.public_pem(public)
    assert {a["kind"] for a in report["anomalies"]} == {"off_hours", "cross_agency"}
    assert report["summary"]["cases"] == [{"agency": "agency-mia", "opened": 1, "closed": 0}]

    [made] = [r for r in actions(engine, "oversight.read") if r.detail["view"] == "report"]
    assert made.detail["digest"] == hashlib.sha256(reports.signed_bytes(report)).hexdigest()


def test_a_changed_report_or_another_key_fails(engine: Engine, settings: Settings) -> None:
    report = make_report(engine, settings)
    public = signer(settings).public
    changed = json.loads(reports.dumps(report))
    changed["access"]["by_agency"][0]["reads"] += 1
    result = reports.verify(json.dumps(changed), public)
    assert not result.valid and "changed" in result.reason

    stranger = Ed25519PrivateKey.generate().public_key()
    result = reports.verify(reports.dumps(report), stranger)
    assert not result.valid and signing.key_id(stranger) in result.reason

    # A forger who re-signs with their own key and embeds it passes only the weak check.
    forger = signing.Signer(Ed25519PrivateKey.generate())
    forged = {k: v for k, v in changed.items() if k != "signature"}
    forged["signature"] = {
        "algorithm": "Ed25519",
        "key_id": forger.key_id,
        "public_key": signing.public_pem(forger.public),
        "value": forger.sign(reports.signed_bytes(forged)),
    }
    weak = reports.verify(json.dumps(forged))
    assert weak.valid and not weak.trusted_key
    assert not reports.verify(json.dumps(forged), public).valid

    assert not reports.verify(json.dumps({"format": reports.FORMAT})).valid
    with pytest.raises(InvalidInput, match="not JSON"):
        reports.verify("{not json")


def test_only_oversight_makes_reports(engine: Engine, settings: Settings) -> None:
    ctx = Context(actor("admin", "agency-ssscis", ("platform_admin",)), trail(settings, engine))
    with pytest.raises(Forbidden):
        reports.build(ctx, MARCH, CLOCK, signer(settings))
    [refused] = actions(engine, "oversight.read")
    assert refused.outcome == "denied" and refused.detail["view"] == "report"
