from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from qalxan.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"QALXAN_{name.upper()}" not in text]
    assert not missing, f"undocumented settings in docs/settings.md: {missing}"


@pytest.mark.parametrize("secret", [None, "", "changeme", "secret", "short-but-not-32"])
def test_production_refuses_missing_or_placeholder_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="QALXAN_SECRET_KEY"):
        Settings(env="production", secret_key=secret)


def test_production_accepts_a_real_secret(tmp_path: Path) -> None:
    key = tmp_path / "audit.pem"
    settings = Settings(env="production", secret_key="x" * 40, audit_signing_key=key)
    assert settings.resolved_secret_key() == "x" * 40
    assert settings.resolved_signing_key_path() == key


def test_production_needs_an_audit_signing_key() -> None:
    with pytest.raises(ValidationError, match="QALXAN_AUDIT_SIGNING_KEY"):
        Settings(env="production", secret_key="x" * 40)


def test_development_secret_is_made_once_and_shared(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    second = Settings(data_dir=tmp_path).resolved_secret_key()
    assert first == second
    assert len(first) >= 32


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QALXAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QALXAN_PORT", "9123")
    settings = Settings()
    assert settings.port == 9123
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'qalxan.db'}"


def test_bad_setting_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QALXAN_PORT", "not-a-port")
    with pytest.raises(ValidationError, match="port"):
        Settings()
