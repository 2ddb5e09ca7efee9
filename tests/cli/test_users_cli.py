"""``qalxan users``, ``qalxan units`` and ``qalxan audit`` from the console."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from qalxan.bootstrap import ensure_first_admin
from qalxan.cli.main import app
from qalxan.errors import Conflict
from qalxan.settings import Settings, get_settings
from qalxan.store.engine import get_engine

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output


def test_create_admin_never_has_a_default_password(env: Path) -> None:
    code, out = run("users", "create-admin", "chief", "--generate")
    assert code == 0, out
    assert "one-time password for chief" in out
    code, out = run("users", "create-admin", "second", input="short\nshort\n")
    assert code == 2 and "at least 12 characters" in out
    typed = "a long enough passphrase\n" * 2
    code, out = run("users", "create-admin", "third", input=typed)
    assert code == 0 and "one-time" not in out


def test_users_and_units_lifecycle(env: Path) -> None:
    code, out = run(
        "units",
        "create",
        "--agency",
        "agency-mia",
        "--name",
        "Internal Security",
        "--function",
        "internal_investigations",
    )
    assert code == 0, out
    code, out = run(
        "users",
        "create",
        "r.huseynov",
        "--agency",
        "agency-mia",
        "--role",
        "reporter",
        "--clearance",
        "restricted",
    )
    assert code == 0, out
    code, out = run("users", "set", "r.huseynov", "--role", "analyst", "--disable")
    assert code == 0, out
    code, out = run("users", "list", "--agency", "agency-mia")
    assert "r.huseynov" in out and "analyst" in out and "disabled" in out
    code, out = run("users", "create", "x.y", "--agency", "agency-nowhere", "--role", "reporter")
    assert code == 2 and "agency_id: no agency or partner organisation has the id" in out
    code, out = run("users", "reset-password", "nobody")
    assert code == 2 and "no user is named" in out


def test_audit_verify_exits_non_zero_naming_the_broken_record(env: Path, database_url: str) -> None:
    for name in ("a.one", "b.two", "c.three"):
        assert run("users", "create", name, "--agency", "agency-mia", "--role", "reporter")[0] == 0
    code, out = run("audit", "verify")
    assert code == 0, out
    assert "intact: 3 records" in out
    engine = get_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        conn.execute(text("UPDATE audit_log SET actor_name = 'nobody' WHERE seq = 2"))
    code, out = run("audit", "verify")
    assert code == 1
    assert "audit record 2" in out and "1 records before it are intact" in out


def test_checkpoint_and_keys(env: Path) -> None:
    run("users", "create", "a.one", "--agency", "agency-mia", "--role", "reporter")
    code, out = run("audit", "checkpoint")
    assert code == 0 and "checkpoint at record 1" in out
    code, out = run("audit", "public-key")
    assert out.startswith("-----BEGIN PUBLIC KEY-----")
    key = env / "public.pem"
    key.write_text(out)
    code, out = run("audit", "verify", "--public-key", str(key))
    assert code == 0 and "1 signed checkpoints" in out
    code, out = run("audit", "keygen", str(env / "k.pem"))
    assert code == 0 and (env / "k.pem").stat().st_mode & 0o077 == 0
    code, out = run("audit", "keygen", str(env / "k.pem"))
    assert code == 2 and "refusing to replace" in out
    code, out = run("audit", "verify", "--public-key", str(env / "k.pem"))
    assert code == 2


def test_production_refuses_to_start_without_an_administrator(
    env: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out = run("audit", "keygen", str(env / "k.pem"))
    assert code == 0
    assert run("db", "upgrade")[0] == 0
    config = Settings(
        env="production",
        secret_key="x" * 40,
        audit_signing_key=env / "k.pem",
        data_dir=env / "data",
        database_url=database_url,
    )
    engine = get_engine(database_url)
    with pytest.raises(Conflict, match="qalxan users create-admin"):
        ensure_first_admin(engine, config)
    monkeypatch.delenv("QALXAN_DATA_DIR")
    get_settings.cache_clear()


def test_first_local_start_makes_an_admin_with_a_one_time_password(
    env: Path, database_url: str
) -> None:
    config = Settings(data_dir=env / "data", database_url=database_url)
    run("db", "upgrade")
    engine = get_engine(database_url)
    made = ensure_first_admin(engine, config)
    assert made is not None and made[0] == "admin" and len(made[1]) >= 16
    assert ensure_first_admin(engine, config) is None
    _code, out = run("users", "list")
    assert "must change password" in out
