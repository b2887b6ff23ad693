"""Domain settings: each domain's THANGLONG_<DOMAIN>_* variables, read and checked once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from thanglong.core.errors import ThangLongError


@dataclass(frozen=True)
class SettingProblem:
    """A value that may do in development but not in production, named by its variable."""

    variable: str
    message_vi: str
    message_en: str


class DomainSettings(BaseSettings):
    """Base of a domain's settings class; its env_prefix must be THANGLONG_<DOMAIN>_."""

    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    def production_problems(self) -> list[SettingProblem]:
        """Return what would be wrong with these values in production (nothing by default)."""
        return []


class InvalidSetting(ThangLongError):
    """A domain variable with a bad value: the process stops at start-up, naming the variable."""

    status = 500


def env_prefix(domain: str) -> str:
    """Return the prefix of a domain's variables."""
    return f"THANGLONG_{domain.upper()}_"


def _invalid(variable: str, vi: str, en: str) -> InvalidSetting:
    return InvalidSetting(
        "invalid_setting",
        f"Biến cấu hình {variable} không hợp lệ: {vi}",
        f"Setting {variable} is invalid: {en}",
        variable=variable,
    )


def load(domain: str, settings_class: Any, *, env: str) -> DomainSettings:
    """Read one domain's settings from the environment; raise InvalidSetting naming the variable."""
    prefix = env_prefix(domain)
    if not (isinstance(settings_class, type) and issubclass(settings_class, DomainSettings)):
        raise RuntimeError(f"domain {domain!r}: settings must be a core.domain_settings.DomainSettings class")
    declared = settings_class.model_config.get("env_prefix")
    if declared != prefix:
        raise RuntimeError(f"domain {domain!r}: settings env_prefix is {declared!r}, expected {prefix!r}")
    try:
        value = settings_class()
    except ValidationError as exc:
        first = exc.errors(include_input=False)[0]
        field = str(first["loc"][0]) if first.get("loc") else "?"
        # The message names the expected type, never the value (it may be a secret).
        raise _invalid(f"{prefix}{field.upper()}", first["msg"], first["msg"]) from None
    if env == "production":
        problems = value.production_problems()
        if problems:
            problem = problems[0]
            raise _invalid(problem.variable, problem.message_vi, problem.message_en)
    return value
