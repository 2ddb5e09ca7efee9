"""``qalxan outbox list | deliver | retry`` from the console, sending to a server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from qalxan.access.tables import AuditRow
from qalxan.cli.common import console
from qalxan.cli.main import app
from qalxan.outbox.webhook import verify
from qalxan.settings import get_settings
from qalxan.store.engine import get_engine, session_factory
from tests.outbox.shared import SECRET, Received, message, read, store
from tests.outbox.smtp_server import free_port

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(console, "_width", 240)  # whole table cells, whatever the terminal
    monkeypatch.setenv("QALXAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QALXAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
    get_engine(database_url).dispose()


def test_list_deliver_and_retry(
    env: str, receiver: tuple[str, Received], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = receiver
    assert run("outbox", "list") == (0, "no messages\n")  # and the schema is there now
    engine = get_engine(env)
    good, dead = store(
        engine,
        message(address=url, subject="notice 1"),
        message(address=f"http://127.0.0.1:{free_port()}/hook", subject="notice 2"),
        now=datetime.now(UTC),
    )

    code, out = run("outbox", "deliver")
    assert code == 0, out
    assert "sent 0, to retry 0, given up 0" in out
    assert "2 due message(s) held" in out and "'hold'" in out
    assert received == []

    monkeypatch.setenv("QALXAN_OUTBOX_TRANSPORT", "send")
    monkeypatch.setenv("QALXAN_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("QALXAN_OUTBOX_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    code, out = run("outbox", "deliver", "--limit", "10")
    assert code == 0, out
    assert "sent 1, to retry 0, given up 1" in out
    ((headers, body),) = received
    assert body == good.body.encode()
    assert verify(SECRET, body, headers["X-Qalxan-Signature"])

    code, out = run("outbox", "list")
    assert code == 0 and good.id in out and dead.id in out and "notice 1" in out
    code, out = run("outbox", "list", "--status", "failed")
    assert code == 0 and dead.id in out and good.id not in out and "ConnectError" in out
    assert run("outbox", "list", "--status", "lost")[0] == 2

    code, out = run("outbox", "retry", good.id)
    assert code == 2 and "never sent twice" in out
    code, out = run("outbox", "retry", dead.id)
    assert code == 0 and "is due again" in out, out
    stored = read(engine, dead.id)
    assert (stored.status, stored.attempts) == ("pending", 0)
    assert stored.last_error is not None
    code, out = run("outbox", "retry", dead.id)
    assert code == 2 and "pending" in out
    assert run("outbox", "retry", "no-such-id")[0] == 2
    assert len(received) == 1

    with session_factory(engine)() as session:
        outcomes = session.execute(
            select(AuditRow.outcome, AuditRow.record_id)
            .where(AuditRow.action == "outbox.retry")
            .order_by(AuditRow.seq)
        ).all()
    assert [tuple(o) for o in outcomes] == [
        ("invalid", good.id),
        ("success", dead.id),
        ("invalid", dead.id),
        ("invalid", "no-such-id"),
    ]
