"""The platform's one settings object, read from ``QALXAN_*`` environment variables.

Built on demand by :func:`get_settings` (never at import time). In production mode the platform
refuses to start with a missing or placeholder secret; in development a random secret is made
once and kept in the data directory, so that several worker processes share it.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "changethis", "secret", "qalxan"})
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Every option of the platform. Each field's description is its documentation."""

    model_config = SettingsConfigDict(env_prefix="QALXAN_", extra="ignore")

    env: Literal["development", "production"] = Field(
        "development",
        description="`production` enforces real secrets and refuses unsafe defaults.",
    )
    data_dir: Path = Field(
        Path("var"),
        description="Directory for the embedded SQLite database, the development secret and "
        "uploaded files.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the database, e.g. "
        "`postgresql+psycopg://qalxan@localhost/qalxan`. Default: an SQLite file "
        "`qalxan.db` in the data directory.",
    )
    secret_key: str | None = Field(
        None,
        description="Secret for signing sessions and tokens (at least 32 characters). Required "
        "in production; in development a random one is kept in the data directory.",
    )
    host: str = Field("127.0.0.1", description="Address `qalxan serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `qalxan serve` listens on.")
    workers: int = Field(
        1, ge=1, le=64, description="Number of API worker processes `qalxan serve` starts."
    )
    default_language: Literal["en", "az"] = Field(
        "en", description="Language of the web UI when the browser states no preference."
    )
    doctrine_path: Path | None = Field(
        None,
        description="A doctrine version (directory of YAML files or exported JSON) to load at "
        "start instead of the bundled one.",
    )
    doctrine_refresh_seconds: float = Field(
        2.0,
        ge=0,
        le=3600,
        description="How often (at most) each worker asks the database which doctrine version "
        "is in force; a newly activated version reaches every worker within this time.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Log level of the server."
    )
    operator_agency: str = Field(
        "agency-ssscis",
        description="Doctrine id of the agency that operates the installation; the first "
        "administrator belongs to it.",
    )
    audit_signing_key: Path | None = Field(
        None,
        description="PEM file of the Ed25519 key that signs audit checkpoints and oversight "
        "reports (`qalxan audit keygen` makes one). Required in production; in development "
        "one is made in the data directory.",
    )
    audit_checkpoint_every: int = Field(
        1000,
        ge=1,
        le=10_000_000,
        description="A signed checkpoint is written after every this many audit records.",
    )
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, description="A UI session ends after this long without use."
    )
    session_max_hours: int = Field(
        12, ge=1, le=24 * 7, description="A UI session ends this long after login, used or not."
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        le=1000,
        description="Failed logins (per user name, or ten times this per address) within the "
        "lockout window that lock further attempts out.",
    )
    login_lockout_minutes: int = Field(
        15, ge=1, le=24 * 60, description="The window and duration of a login lockout."
    )
    cookie_secure: bool | None = Field(
        None,
        description="Mark the session cookie `Secure` (HTTPS only). Default: on in production, "
        "and in development whenever the request came over HTTPS.",
    )
    working_hours: str = Field(
        "08:00-19:00",
        pattern=r"^\d\d:\d\d-\d\d:\d\d$",
        description="Normal working hours (Monday to Friday, local time) for the oversight "
        "report of off-hours access.",
    )
    timezone: str = Field(
        "Asia/Baku", description="The installation's local time zone (IANA name)."
    )
    attachment_max_bytes: int = Field(
        8 * 1024 * 1024, ge=1024, le=1024**3, description="The largest file one may attach."
    )
    dedup_window_hours: float = Field(
        48.0, gt=0, le=24 * 30, description="Reports this far apart in time may join one incident."
    )
    dedup_radius_km: float = Field(
        25.0, gt=0, le=1000, description="Reports this far apart may join one incident."
    )
    dedup_threshold: float = Field(
        0.62, gt=0, le=1, description="The match score at which a report joins an incident."
    )
    escalation_interval_seconds: int = Field(
        60, ge=0, le=3600, description="How often a worker checks for missed acknowledgements."
    )
    warning_scan_interval_seconds: int = Field(
        3600, ge=0, le=7 * 24 * 3600, description="How often a worker scans for early warnings."
    )
    cti_correlate_interval_seconds: int = Field(
        60,
        ge=0,
        le=24 * 3600,
        description="How often a worker correlates new incidents with the CERT's indicators.",
    )
    alert_feed_interval_seconds: int = Field(
        60,
        ge=0,
        le=3600,
        description="How often a worker pulls the external warning feeds that are due.",
    )
    taxii_pull_interval_seconds: int = Field(
        60,
        ge=0,
        le=24 * 3600,
        description="How often a worker looks for partner TAXII feeds due a pull.",
    )
    screening_threshold: float = Field(
        0.724,
        ge=0,
        le=1,
        description="The match score (0 to 1) at or above which a screening result is an alert "
        "and a hit for an officer's review, for every use without a threshold of its own.",
    )
    screening_threshold_border: float | None = Field(
        None,
        ge=0,
        le=1,
        description="The alert threshold of border screening; QALXAN_SCREENING_THRESHOLD when "
        "unset.",
    )
    screening_threshold_customs: float | None = Field(
        None,
        ge=0,
        le=1,
        description="The alert threshold of customs screening; QALXAN_SCREENING_THRESHOLD when "
        "unset.",
    )
    screening_threshold_fiu: float | None = Field(
        None,
        ge=0,
        le=1,
        description="The alert threshold of financial monitoring screening; "
        "QALXAN_SCREENING_THRESHOLD when unset.",
    )
    screening_refresh_seconds: float = Field(
        30.0,
        ge=0,
        le=3600,
        description="How often (at most) a process holding the screening index asks the "
        "database whether a list changed, and rebuilds the index if so; 0 asks on every "
        "screening.",
    )
    outbox_transport: Literal["hold", "send"] = Field(
        "hold",
        description="`hold` keeps every outgoing message (e-mail, webhook, SMS) pending so that "
        "nothing leaves the machine; `send` delivers them.",
    )
    outbox_max_attempts: int = Field(
        8, ge=1, le=100, description="Attempts at delivering a message before it is given up."
    )
    outbox_interval_seconds: int = Field(
        30,
        ge=0,
        le=3600,
        description="How often a worker delivers the due outgoing messages; 0 leaves it to "
        "`qalxan outbox deliver`.",
    )
    smtp_host: str | None = Field(None, description="SMTP server that sends e-mail.")
    smtp_port: int = Field(587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_username: str | None = Field(
        None, description="User name at the SMTP server; no login when unset."
    )
    smtp_password: str | None = Field(None, description="Password at the SMTP server.")
    smtp_starttls: bool = Field(
        True, description="Upgrade the SMTP connection with STARTTLS before anything is sent."
    )
    smtp_from: str | None = Field(None, description="The `From` address of e-mail sent.")
    webhook_secret: str | None = Field(
        None,
        description="Secret that signs webhook bodies (HMAC-SHA256) for endpoints without a "
        "secret of their own; at least 32 characters in production.",
    )
    sms_gateway_url: str | None = Field(None, description="URL of the HTTP SMS gateway.")
    sms_gateway_token: str | None = Field(None, description="Bearer token of the HTTP SMS gateway.")
    sms_max_length: int = Field(
        160, ge=40, le=10_000, description="Longest SMS text; a longer body is cut with a note."
    )
    alerts_sender: str = Field(
        "mes.gov.az",
        pattern=r"^[^\s,<&/]+$",
        description="The CAP `sender` of the alerts the warning desk issues (a domain of the "
        "issuing authority); identifiers are `<sender>.<YYYYMMDD>.<random>`.",
    )
    alerts_signing_key_path: Path | None = Field(
        None,
        description="PEM file of the private key (RSA or EC) that signs issued alerts with an "
        "enveloped XML signature; unset, alerts are not signed. There is no default key.",
    )
    alerts_signing_cert_path: Path | None = Field(
        None,
        description="PEM file of the X.509 certificate of the alert signing key, embedded in "
        "every signature; needed with the key.",
    )
    alerts_public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s?#]+$",
        description="Absolute base URL at which the public alert feed and CAP files are "
        "served; the ids of the Atom feed and the links in e-mails use it. Unset: the URL "
        "of the request (feed), `http://HOST:PORT` (e-mail).",
    )
    alerts_feed_title: str = Field(
        "Public warnings",
        min_length=1,
        max_length=200,
        description="Title of the Atom feed of active public alerts.",
    )

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.env == "production":
            key = (self.secret_key or "").strip()
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    "QALXAN_SECRET_KEY must be set to a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters in production"
                )
            if self.audit_signing_key is None:
                raise ValueError(
                    "QALXAN_AUDIT_SIGNING_KEY must name the audit signing key file in "
                    "production (make one with `qalxan audit keygen PATH`)"
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'qalxan.db').resolve()}"

    def resolved_signing_key_path(self) -> Path:
        return self.audit_signing_key or self.data_dir / "audit_signing_key.pem"

    def resolved_secret_key(self) -> str:
        """The secret: the configured one, or in development one kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
