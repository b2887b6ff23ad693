"""Settings of the procedures domain (THANGLONG_PROCEDURES_* variables), read at use."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from thanglong.core.domain_settings import DomainSettings, SettingProblem

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

# Job kinds of the integrations (declared in the manifest): one job per status change, per shipment.
DVCQG_JOB = "procedures.dvcqg"
VNPOST_JOB = "procedures.vnpost"


class ProcedureSettings(DomainSettings):
    """Signing keys, the national portal (DVCQG) and the postal carrier (VNPost) connections."""

    model_config = SettingsConfigDict(
        env_prefix="THANGLONG_PROCEDURES_", extra="ignore", hide_input_in_errors=True
    )

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

    # Public tracking: an address with this many misses (wrong code or secret) in the window gets 429.
    tracking_max_failures: int = Field(default=20, ge=1)
    tracking_window_seconds: int = Field(default=600, ge=1)

    # The sweep of unreferenced attachment files leaves files younger than this (a filing in flight).
    files_sweep_grace_minutes: int = Field(default=60, ge=1)

    def production_problems(self) -> list[SettingProblem]:
        """Refuse the local test CA in production: results must carry the agency head's real signature."""
        if self.signing_p12 is None:
            return [
                SettingProblem(
                    "THANGLONG_PROCEDURES_SIGNING_P12",
                    "chưa có, hãy trỏ tới tệp PKCS#12 chứa chứng thư số của cơ quan.",
                    "is not set; point it at the agency's PKCS#12 signing certificate.",
                )
            ]
        if not self.signing_p12.is_file():
            return [
                SettingProblem(
                    "THANGLONG_PROCEDURES_SIGNING_P12",
                    "không trỏ tới một tệp có thật.",
                    "does not point at an existing file.",
                )
            ]
        return []


def enable_integrations(platform: Platform) -> None:
    """Run the DVCQG and VNPost jobs only where their endpoint is configured (the manifest's setup).

    Without an endpoint the kind is not registered: this process's workers do not claim its jobs, which
    stay queued, untouched and with all their attempts, until a worker configured for it starts.
    """
    settings = platform.config(ProcedureSettings)
    for kind, url in ((DVCQG_JOB, settings.dvcqg_url), (VNPOST_JOB, settings.vnpost_url)):
        if url is None:
            platform.job_kinds.pop(kind, None)
    declared = platform.job_kinds.get(DVCQG_JOB)
    if declared is not None:
        platform.job_kinds[DVCQG_JOB] = replace(declared, max_attempts=settings.dvcqg_max_attempts)
