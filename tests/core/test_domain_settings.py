"""Domain settings: read once at start-up, a bad value stops the process with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from thanglong.core import domain_settings
from thanglong.core.domain_settings import DomainSettings, InvalidSetting, SettingProblem
from thanglong.core.platform import Platform
from thanglong.domains.payments.config import PaymentSettings
from thanglong.domains.procedures.config import ProcedureSettings

REAL_SECRET = "a-real-production-secret-of-40-characters!"
AUDIT_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
THANGLONG = Path(sys.executable).with_name("thanglong")


class ExampleSettings(DomainSettings):
    """A domain's settings for the tests."""

    model_config = SettingsConfigDict(env_prefix="THANGLONG_EXAMPLE_")

    retries: int = 3
    api_token: str | None = None

    def production_problems(self) -> list[SettingProblem]:
        """Require a token in production."""
        if self.api_token is None:
            return [SettingProblem("THANGLONG_EXAMPLE_API_TOKEN", "chưa có.", "is not set.")]
        return []


class WrongPrefix(DomainSettings):
    """Settings that read another domain's variables."""

    model_config = SettingsConfigDict(env_prefix="THANGLONG_OTHER_")


def test_a_bad_value_names_its_variable_and_never_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_EXAMPLE_RETRIES", "s3cr3t-not-a-number")
    with pytest.raises(InvalidSetting) as raised:
        domain_settings.load("example", ExampleSettings, env="development")
    assert raised.value.details == {"variable": "THANGLONG_EXAMPLE_RETRIES"}
    assert "THANGLONG_EXAMPLE_RETRIES" in raised.value.message_en
    assert "s3cr3t" not in raised.value.message_en + raised.value.message_vi


def test_production_problems_stop_only_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THANGLONG_EXAMPLE_API_TOKEN", raising=False)
    assert domain_settings.load("example", ExampleSettings, env="development").retries == 3
    with pytest.raises(InvalidSetting, match="THANGLONG_EXAMPLE_API_TOKEN"):
        domain_settings.load("example", ExampleSettings, env="production")
    monkeypatch.setenv("THANGLONG_EXAMPLE_API_TOKEN", "t")
    assert domain_settings.load("example", ExampleSettings, env="production").api_token == "t"


def test_a_class_reading_another_prefix_is_a_declaration_error() -> None:
    with pytest.raises(RuntimeError, match="THANGLONG_EXAMPLE_"):
        domain_settings.load("example", WrongPrefix, env="development")


def test_the_platform_holds_each_domains_settings(platform: Platform) -> None:
    assert isinstance(platform.config(ProcedureSettings), ProcedureSettings)
    assert platform.config(PaymentSettings).vnpay_tmn_code == "THANGLNG"
    assert set(platform.domain_settings) == {"payments", "procedures", "terminals"}


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THANGLONG_")}
    env.update(
        THANGLONG_ENV="production",
        THANGLONG_SECRET_KEY=REAL_SECRET,
        THANGLONG_AUDIT_SIGNING_KEY=AUDIT_KEY,
        THANGLONG_COOKIE_SECURE="true",
        THANGLONG_PUBLIC_BASE_URL="https://dichvucong.hanoi.gov.vn",
        THANGLONG_DATA_DIR=str(tmp_path),
        # Never reached: the settings are refused before any connection is made.
        THANGLONG_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/none",
        THANGLONG_MQTT_URL="mqtt://thanglong:broker-pw-XYZ@127.0.0.1:9",
        THANGLONG_PAYMENTS_VNPAY_HASH_SECRET="a-real-vnpay-secret",
        THANGLONG_PAYMENTS_VNPAY_URL="https://pay.vnpay.vn/vpcpay.html",
        THANGLONG_PROCEDURES_SIGNING_P12=str(tmp_path / "agency.p12"),
    )
    (tmp_path / "agency.p12").write_bytes(b"not read at start-up")
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("command", "extra", "variable"),
    [
        (
            ["worker"],
            {"THANGLONG_PROCEDURES_DVCQG_MAX_ATTEMPTS": "many"},
            "THANGLONG_PROCEDURES_DVCQG_MAX_ATTEMPTS",
        ),
        (
            ["worker"],
            {"THANGLONG_PAYMENTS_VNPAY_URL": "/payments/simulator/vnpay"},
            "THANGLONG_PAYMENTS_VNPAY_URL",
        ),
        (["serve"], {"THANGLONG_PROCEDURES_SIGNING_P12": ""}, "THANGLONG_PROCEDURES_SIGNING_P12"),
        (
            ["schedules", "list"],
            {"THANGLONG_PAYMENTS_VNPAY_EXPIRE_MINUTES": "x"},
            "THANGLONG_PAYMENTS_VNPAY_EXPIRE_MINUTES",
        ),
    ],
)
def test_production_start_with_a_bad_domain_setting_exits_naming_the_variable(
    tmp_path: Path, command: list[str], extra: dict[str, str], variable: str
) -> None:
    env = _production_env(tmp_path, **extra)
    if extra.get("THANGLONG_PROCEDURES_SIGNING_P12") == "":
        del env["THANGLONG_PROCEDURES_SIGNING_P12"]
    result = subprocess.run(
        [str(THANGLONG), *command], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr
    assert "broker-pw-XYZ" not in result.stderr + result.stdout
