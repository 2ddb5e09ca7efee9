"""The audit trail: chained, append-only, written with the action, and verifiable."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from qalxan.access import audit, chain, signing
from qalxan.access.tables import AuditRow, UnitRow
from qalxan.bootstrap import signer, trail
from qalxan.errors import Conflict
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import operator


def fill(engine: Engine, settings: Settings, n: int) -> None:
    ctx = operator(engine, settings)
    for i in range(n):
        audit.record(ctx, audit.Entry("test.event", "unit", f"u{i}", detail={"i": i, "ü": "ə"}))


def keys(settings: Settings) -> dict[str, signing.Ed25519PublicKey]:
    public = signer(settings).public
    return {signing.key_id(public): public}


def drop_guards(engine: Engine) -> None:
    """What an intruder with DDL rights would do first."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))


def test_intact_chain_verifies_with_checkpoints(engine: Engine, settings: Settings) -> None:
    settings = settings.model_copy(update={"audit_checkpoint_every": 5})
    fill(engine, settings, 12)
    report = chain.verify(engine, keys(settings))
    assert report.intact, report.breaks
    assert report.records == 12
    assert report.checkpoints == 2


def test_database_refuses_to_edit_or_delete_audit_rows(engine: Engine, settings: Settings) -> None:
    fill(engine, settings, 2)
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert chain.verify(engine).intact


def test_verify_names_the_first_edited_record(engine: Engine, settings: Settings) -> None:
    fill(engine, settings, 10)
    drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 4"))
        conn.execute(text("UPDATE audit_log SET outcome = 'denied' WHERE seq = 7"))
    report = chain.verify(engine)
    assert not report.intact
    assert report.first_break is not None
    assert report.first_break.seq == 4
    assert "changed" in report.first_break.reason


def test_verify_catches_a_recomputed_chain_at_the_signed_checkpoint(
    engine: Engine, settings: Settings
) -> None:
    # Someone who edits a record and recomputes every later hash (and the head) still cannot
    # forge the signed checkpoint.
    settings = settings.model_copy(update={"audit_checkpoint_every": 4})
    fill(engine, settings, 9)
    drop_guards(engine)
    with transaction(engine) as session:
        rows = session.query(AuditRow).order_by(AuditRow.seq).all()
        rows[1].detail = {"i": 999}
        prev = rows[0].hash
        for row in rows[1:]:
            row.prev_hash = prev
            row.hash = audit.row_hash(prev, row.__dict__)
            prev = row.hash
        session.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    report = chain.verify(engine, keys(settings))
    assert report.first_break is not None
    assert report.first_break.seq == 4
    assert "checkpoint" in report.first_break.reason


def test_verify_catches_removed_records(engine: Engine, settings: Settings) -> None:
    fill(engine, settings, 6)
    drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    assert chain.verify(engine).first_break == chain.Break(3, "record 3 is missing (next is 4)")


def test_verify_catches_records_cut_from_the_end(engine: Engine, settings: Settings) -> None:
    fill(engine, settings, 6)
    drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > 4"))
    report = chain.verify(engine)
    assert report.first_break is not None
    assert report.first_break.seq == 5
    assert "removed" in report.first_break.reason


def test_a_forged_checkpoint_signature_is_caught(engine: Engine, settings: Settings) -> None:
    settings = settings.model_copy(update={"audit_checkpoint_every": 2})
    fill(engine, settings, 4)
    other = signing.Signer(signing.Ed25519PrivateKey.generate())
    report = chain.verify(engine, {signing.key_id(other.public): other.public})
    assert report.first_break is not None
    assert "unknown key" in report.first_break.reason


def test_action_and_audit_commit_together(engine: Engine, settings: Settings) -> None:
    ctx = operator(engine, settings)
    with audit.recorded(ctx, "unit.create", "unit", "good") as rec:
        rec.session.add(UnitRow(id="good", agency_id="agency-mia", name="A", created_by="t"))
    # The failure must come after a write inside the block: that is what is being tested.
    with pytest.raises(Conflict), audit.recorded(ctx, "unit.create", "unit", "bad") as rec:  # noqa: PT012
        rec.session.add(UnitRow(id="bad", agency_id="agency-mia", name="B", created_by="t"))
        rec.session.flush()
        raise Conflict("refused after the write")
    with transaction(engine) as session:
        assert session.get(UnitRow, "good") is not None
        assert session.get(UnitRow, "bad") is None  # the failed action left nothing behind
        rows = {r.record_id: r for r in session.query(AuditRow).all()}
    assert rows["good"].outcome == "success"
    assert rows["bad"].outcome == "invalid"  # ... but its attempt is on record
    assert rows["bad"].detail["reason"] == "refused after the write"
    assert chain.verify(engine).intact


def test_a_failing_commit_is_recorded_as_an_error(engine: Engine, settings: Settings) -> None:
    ctx = operator(engine, settings)
    with audit.recorded(ctx, "unit.create", "unit", "x") as rec:
        rec.session.add(UnitRow(id="x", agency_id="agency-mia", name="X", created_by="t"))
    with pytest.raises(Exception), audit.recorded(ctx, "unit.create", "unit", "x") as rec:  # noqa: B017
        rec.session.add(UnitRow(id="x", agency_id="agency-mia", name="X", created_by="t"))
    with transaction(engine) as session:
        outcomes = [r.outcome for r in session.query(AuditRow).order_by(AuditRow.seq)]
    assert outcomes == ["success", "error"]


def test_trail_of_a_new_installation_starts_at_genesis(engine: Engine, settings: Settings) -> None:
    report = chain.verify(engine)
    assert report.intact
    assert report.records == 0
    assert report.last_hash == audit.GENESIS
    assert trail(settings, engine).signer is not None
