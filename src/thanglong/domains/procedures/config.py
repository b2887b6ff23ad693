"""Settings of the procedures domain (THANGLONG_PROCEDURES_* variables), read at use."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProcedureSettings(BaseSettings):
    """Signing keys, the national portal (DVCQG) and the postal carrier (VNPost) connections."""

    model_config = SettingsConfigDict(env_prefix="THANGLONG_PROCEDURES_", extra="ignore")

    # PKCS#12 file with the agency's signing key and certificate chain; None means a local test CA
    # kept in the data directory (development and tests only).
    signing_p12: Path | None = None
    signing_p12_password: SecretStr | None = None

    # The national portal's dossier-sync endpoint; None means status changes stay queued, unsent.
    dvcqg_url: str | None = None
    dvcqg_token: SecretStr | None = None
    dvcqg_max_attempts: int = 8

    # VNPost's public-administration (BCCI) order endpoint; None means results by post are refused.
    vnpost_url: str | None = None
    vnpost_token: SecretStr | None = None
