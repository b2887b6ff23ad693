"""Settings of the terminals domain (THANGLONG_TERMINALS_* variables), read once at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from thanglong.core.domain_settings import DomainSettings

DEFAULT_RECEIPT_GROUP = "terminals"


class TerminalsSettings(DomainSettings):
    """Where the platform's signing key lives and how receipts are consumed."""

    model_config = SettingsConfigDict(
        env_prefix="THANGLONG_TERMINALS_", extra="ignore", hide_input_in_errors=True
    )

    # The platform's Ed25519 private key (PEM). None: `<data dir>/terminals-signing-key.pem`, made on
    # first use. Point it at a mounted secret in production (docs/terminals-delivery.md).
    signing_key_path: Path | None = None
