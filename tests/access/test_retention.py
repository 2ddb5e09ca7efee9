"""Retention: exactly the expired rows go, with their events and shares; each purge is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from qalxan.access import chain, retention, signing
from qalxan.access.audit import Context
from qalxan.access.tables import (
    ApiKeyRow,
    ComplaintEventRow,
    ComplaintRow,
    LoginFailureRow,
    SessionRow,
    ShareRow,
    UserRow,
)
from qalxan.bootstrap import operator_principal, signer, trail
from qalxan.bulletins.tables import BulletinRow
from qalxan.errors import Forbidden
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.access.synthetic import actions, actor

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=2000)  # beyond every period of the schedule
RECENT = NOW - timedelta(days=10)  # within every period


def seed(engine: Engine) -> dict[str, set[str]]:
    """Two rows of each type, one expired and one not; the ids of those that must go."""
    with transaction(engine) as session:
        session.add(
            UserRow(
                id="u1",
                username="holder",
                display_name="holder",
                agency_id="agency-mia",
                roles=["reporter"],
                created_by="pytest",
            )
        )
        session.flush()
        for tag, when in (("old", LONG_AGO), ("new", RECENT)):
            session.add(SessionRow(id=f"s-{tag}", user_id="u1", created_at=when, expires_at=when))
            session.add(
                SessionRow(id=f"s-{tag}-live", user_id="u1", expires_at=NOW + timedelta(hours=1))
            )
            session.add(LoginFailureRow(key=f"user:{tag}", at=when))
            session.add(
                ApiKeyRow(
                    id=f"k-{tag}",
                    user_id="u1",
                    name=tag,
                    secret_hash="0" * 64,
                    created_by="pytest",
                    revoked_at=when,
                )
            )
            session.add(
                ComplaintRow(
                    id=f"c-{tag}",
                    owner_agency="agency-mia",
                    classification=1,
                    reference=f"C-2020-{tag}",
                    kind="record",
                    complainant="A. Person",
                    description="…",
                    status="resolved",
                    received_at=when,
                    acknowledge_by=when,
                    respond_by=when,
                    closed_at=when,
                    created_by="pytest",
                )
            )
            session.add(
                BulletinRow(
                    id=f"b-{tag}",
                    owner_agency="agency-mia",
                    classification=1,
                    tlp="AMBER",
                    title=tag,
                    body="…",
                    author_id="u1",
                    updated_at=when,
                )
            )
            session.flush()
            session.add(ComplaintEventRow(complaint_id=f"c-{tag}", actor="x", status="received"))
            for record_type, record_id in (("complaint", f"c-{tag}"), ("bulletin", f"b-{tag}")):
                session.add(
                    ShareRow(
                        record_type=record_type,
                        record_id=record_id,
                        agency_id="agency-sbs",
                        reason="pytest",
                        granted_by="pytest",
                    )
                )
        session.add(
            ComplaintRow(
                id="c-open",
                owner_agency="agency-mia",
                classification=1,
                reference="C-2020-open",
                kind="record",
                complainant="B. Person",
                description="…",
                status="received",
                received_at=LONG_AGO,
                acknowledge_by=LONG_AGO,
                respond_by=LONG_AGO,
                created_by="pytest",
            )
        )
        old_failure = session.scalar(
            select(LoginFailureRow.id).where(LoginFailureRow.key == "user:old")
        )
    return {
        "session": {"s-old"},
        "login_failure": {str(old_failure)},
        "api_key": {"k-old"},
        "complaint": {"c-old"},
        "bulletin": {"b-old"},
    }


def counts(engine: Engine) -> dict[str, int]:
    models = {
        "sessions": SessionRow,
        "failures": LoginFailureRow,
        "keys": ApiKeyRow,
        "complaints": ComplaintRow,
        "events": ComplaintEventRow,
        "bulletins": BulletinRow,
        "shares": ShareRow,
    }
    with transaction(engine) as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in models.items()
        }


def operator_ctx(engine: Engine, settings: Settings) -> Context:
    return Context(operator_principal(settings, "cli:pytest"), trail(settings, engine))


def test_dry_run_counts_and_changes_nothing(engine: Engine, settings: Settings) -> None:
    seed(engine)
    before = counts(engine)
    results = retention.run(operator_ctx(engine, settings), now=NOW, dry_run=True)
    assert {r.record_type: r.count for r in results} == {
        "session": 1,
        "login_failure": 1,
        "api_key": 1,
        "complaint": 1,
        "bulletin": 1,
    }
    assert all(r.dry_run for r in results)
    assert counts(engine) == before
    assert actions(engine, "retention.purge") == []
    [preview] = actions(engine, "retention.preview")
    assert preview.detail["would_purge"]["complaint"] == 1


def test_run_purges_exactly_the_expired_rows_and_audits_each_purge(
    engine: Engine, settings: Settings
) -> None:
    expired = seed(engine)
    before = counts(engine)
    results = retention.run(operator_ctx(engine, settings), now=NOW)
    assert {r.record_type: r.count for r in results} == dict.fromkeys(expired, 1)
    after = counts(engine)
    assert {k: before[k] - after[k] for k in before} == {
        "sessions": 1,
        "failures": 1,
        "keys": 1,
        "complaints": 1,
        "events": 1,
        "bulletins": 1,
        "shares": 2,
    }
    with transaction(engine) as session:
        assert session.get(ComplaintRow, "c-open") is not None  # open: its clock has not started
        assert session.get(SessionRow, "s-new") is not None
        left = set(session.scalars(select(ShareRow.record_id)))
    assert left == {"c-new", "b-new"}

    purges = {r.record_type: r for r in actions(engine, "retention.purge")}
    assert set(purges) == set(expired)
    for name, ids in expired.items():
        record = purges[name]
        assert record.outcome == "success" and record.actor_name == "cli:pytest"
        assert record.detail["count"] == 1 and set(record.detail["ids"]) == ids
    assert purges["complaint"].detail["shares_deleted"] == 1
    assert (
        purges["bulletin"].detail["keep_days"] == retention.schedule().types["bulletin"].keep_days
    )

    again = retention.run(operator_ctx(engine, settings), now=NOW)
    assert all(r.count == 0 for r in again)
    public = signer(settings).public
    assert chain.verify(engine, {signing.key_id(public): public}).intact


def test_large_purges_go_in_audited_batches(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)
    with transaction(engine) as session:
        for i in range(5):
            session.add(LoginFailureRow(key=f"user:{i}", at=LONG_AGO))
    [failures] = [
        r
        for r in retention.run(operator_ctx(engine, settings), now=NOW)
        if r.record_type == "login_failure"
    ]
    assert failures.count == 5
    batches = [
        r.detail["count"]
        for r in actions(engine, "retention.purge")
        if r.record_type == "login_failure"
    ]
    assert batches == [2, 2, 1]


def test_only_retention_run_may_purge(engine: Engine, settings: Settings) -> None:
    seed(engine)
    before = counts(engine)
    overseer = Context(actor("overseer", "agency-ssscis", ("oversight",)), trail(settings, engine))
    with pytest.raises(Forbidden, match="retention:run"):
        retention.run(overseer, now=NOW)
    assert counts(engine) == before
    [refused] = actions(engine, "retention.purge")
    assert (refused.outcome, refused.actor_name) == ("denied", "overseer")


def test_the_schedule_is_validated_and_never_names_the_audit_trail() -> None:
    types = retention.schedule().types
    assert set(types) == set(retention.PURGERS)
    assert "audit_log" not in types
    assert all(rule.legal_basis for rule in types.values())
    with pytest.raises(ValidationError, match="not a column"):
        retention.Schedule.model_validate(
            {
                "types": {
                    "session": {
                        "keep_days": 1,
                        "clock": ["nope"],
                        "action": "delete",
                        "legal_basis": "x",
                    }
                }
            }
        )
    with pytest.raises(ValidationError, match="no purger"):
        retention.Schedule.model_validate(
            {
                "types": {
                    "audit_log": {
                        "keep_days": 1,
                        "clock": ["at"],
                        "action": "delete",
                        "legal_basis": "x",
                    }
                }
            }
        )
