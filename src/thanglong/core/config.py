"""One typed Settings object, read from THANGLONG_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from thanglong.core.domain_list import DEFAULT_DOMAINS

PLACEHOLDER_SECRET = "dev-secret-change-me"  # noqa: S105 - the placeholder that production refuses


def default_data_dir() -> Path:
    """Return the per-user data directory (XDG on Linux, home folder elsewhere)."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "thanglong"


class Settings(BaseSettings):
    """Every setting of the platform; validated once at start-up."""

    # Validation errors must not echo the input: it holds the secrets (secret key, audit signing key).
    model_config = SettingsConfigDict(env_prefix="THANGLONG_", extra="ignore", hide_input_in_errors=True)

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    mqtt_url: str | None = None
    embedded_mqtt_host: str = "127.0.0.1"
    embedded_mqtt_port: int = 1884
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    domains: list[str] = Field(default_factory=lambda: list(DEFAULT_DOMAINS))
    default_language: Literal["vi", "en"] = "vi"
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto the server believes (comma-separated addresses,
    # as uvicorn's --forwarded-allow-ips). Empty: none, the client address is the socket's peer. Set it
    # to the reverse proxy's address (e.g. 127.0.0.1 behind nginx on the same host).
    forwarded_allow_ips: str = ""
    cookie_secure: bool = False
    # Strict-Transport-Security sent with every answer when cookies are secure (served over HTTPS).
    hsts_max_age_seconds: int = Field(default=365 * 24 * 3600, ge=0)
    session_max_age_seconds: int = 8 * 3600
    login_max_failures: int = 5
    login_window_seconds: int = 900
    max_form_field_bytes: int = 10_000
    run_jobs_in_process: bool = True
    load_demo_on_first_start: bool = True

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "Thăng Long <no-reply@thanglong.hanoi.gov.vn>"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    notify_max_attempts: int = 5

    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_display_name: str = "VNeID"
    oidc_default_role: str = "citizen"

    demo_admin_username: str = "admin"
    demo_admin_password: SecretStr = SecretStr("ThangLong@2025")

    # The protocol of the external broker (the embedded one speaks 3.1.1 only); "5" for Mosquitto and EMQX.
    mqtt_version: Literal["5", "3.1.1"] = "5"
    # A stable name per worker process (its MQTT sessions survive a restart under it); None: a per-host slot.
    worker_id: str | None = None
    # Ed25519 key that signs audit checkpoints (PKCS#8 PEM, or base64 of that PEM or of the 32-byte seed);
    # outside production a key is generated once in the data dir (see docs/audit.md).
    audit_signing_key: SecretStr | None = None
    # Raw points and minute rollups older than this are dropped (0 keeps them forever).
    timeseries_retention_days: int = Field(default=400, ge=0)
    # Daily partitions made ahead by the maintenance schedule on PostgreSQL.
    timeseries_partitions_ahead_days: int = Field(default=7, ge=1, le=366)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env == "production":
            if self.secret_key.get_secret_value() == PLACEHOLDER_SECRET:
                raise ValueError("THANGLONG_SECRET_KEY must be set to a real secret in production")
            if len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("THANGLONG_SECRET_KEY must be at least 32 characters in production")
            if self.database_url is None:
                raise ValueError("THANGLONG_DATABASE_URL must be set in production")
            if self.audit_signing_key is None:
                raise ValueError(
                    "THANGLONG_AUDIT_SIGNING_KEY phải được đặt trong môi trường vận hành / "
                    "must be set in production (Ed25519 key that signs audit checkpoints)"
                )
            if not self.cookie_secure:
                raise ValueError(
                    "THANGLONG_COOKIE_SECURE phải là true trong môi trường vận hành / must be true in "
                    "production (session and CSRF cookies only over HTTPS; HSTS is sent)"
                )
            if not self.public_base_url.startswith("https://"):
                raise ValueError(
                    "THANGLONG_PUBLIC_BASE_URL phải bắt đầu bằng https:// trong môi trường vận hành / "
                    "must start with https:// in production"
                )
        if self.audit_signing_key is not None:
            from thanglong.core.audit_keys import parse_private_key  # noqa: PLC0415 - cryptography on demand

            try:
                parse_private_key(self.audit_signing_key.get_secret_value())
            except ValueError as exc:
                raise ValueError(
                    f"THANGLONG_AUDIT_SIGNING_KEY không đọc được / cannot be read: {exc}"
                ) from exc
        return self

    @property
    def effective_database_url(self) -> str:
        """Return the configured database URL, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'thanglong.db'}"

    @property
    def uses_embedded_broker(self) -> bool:
        """Tell whether the platform runs its own MQTT broker."""
        return self.mqtt_url is None

    @property
    def effective_mqtt_url(self) -> str:
        """Return the broker URL clients should use."""
        if self.mqtt_url:
            return self.mqtt_url
        return f"mqtt://{self.embedded_mqtt_host}:{self.embedded_mqtt_port}"
