"""Settings: environment variables, embedded defaults and refusal of placeholder secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from thanglong.core.config import PLACEHOLDER_SECRET, Settings

REAL_SECRET = "a-real-production-secret-of-40-characters!"
# Base64 of a 32-byte Ed25519 seed (bytes 0..31): the audit checkpoint signing key production requires.
AUDIT_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ENV",
        "DATABASE_URL",
        "MQTT_URL",
        "SECRET_KEY",
        "DATA_DIR",
        "EMBEDDED_MQTT_PORT",
        "DOMAINS",
        "AUDIT_SIGNING_KEY",
    ):
        monkeypatch.delenv(f"THANGLONG_{name}", raising=False)


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="THANGLONG_SECRET_KEY must be set"):
        Settings(env="production", secret_key=PLACEHOLDER_SECRET, database_url="postgresql+psycopg://db/x")


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(env="production", secret_key="short", database_url="postgresql+psycopg://db/x")


def test_production_refuses_the_embedded_database() -> None:
    with pytest.raises(ValidationError, match="THANGLONG_DATABASE_URL must be set"):
        Settings(env="production", secret_key=REAL_SECRET)


def test_production_accepts_real_settings() -> None:
    settings = Settings(
        env="production",
        secret_key=REAL_SECRET,
        database_url="postgresql+psycopg://db/x",
        audit_signing_key=SecretStr(AUDIT_KEY),
        cookie_secure=True,
        public_base_url="https://dichvucong.hanoi.gov.vn",
    )
    assert settings.effective_database_url == "postgresql+psycopg://db/x"


def test_development_runs_on_embedded_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.env == "development"
    assert settings.secret_key.get_secret_value() == PLACEHOLDER_SECRET
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'thanglong.db'}"
    assert settings.uses_embedded_broker
    # 1884, not 1883, so that a system Mosquitto on the same laptop does not clash.
    assert settings.effective_mqtt_url == "mqtt://127.0.0.1:1884"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_MQTT_URL", "mqtt://broker.example:1883")
    monkeypatch.setenv("THANGLONG_EMBEDDED_MQTT_PORT", "2884")
    monkeypatch.setenv("THANGLONG_DOMAINS", '["identity"]')
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.embedded_mqtt_port == 2884
    assert settings.domains == ["identity"]
    assert not settings.uses_embedded_broker
    assert settings.effective_mqtt_url == "mqtt://broker.example:1883"


def test_invalid_environment_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_ENV", "staging")
    with pytest.raises(ValidationError):
        Settings()


def test_production_needs_secure_cookies_and_an_https_address() -> None:
    base = {
        "env": "production",
        "secret_key": REAL_SECRET,
        "database_url": "postgresql+psycopg://db/x",
        "audit_signing_key": SecretStr(AUDIT_KEY),
    }
    with pytest.raises(ValueError, match="THANGLONG_COOKIE_SECURE"):
        Settings(**base, public_base_url="https://dichvucong.hanoi.gov.vn")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="THANGLONG_PUBLIC_BASE_URL"):
        Settings(**base, cookie_secure=True, public_base_url="http://dichvucong.hanoi.gov.vn")  # type: ignore[arg-type]
