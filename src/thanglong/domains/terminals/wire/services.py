"""The platform's side of signing: its Ed25519 key, wherever the settings put it."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thanglong.core.config import Settings
from thanglong.domains.terminals.config import TerminalsSettings
from thanglong.domains.terminals.wire import keys


def platform_private_key(settings: Settings) -> Ed25519PrivateKey:
    """Return the platform's signing key (THANGLONG_TERMINALS_SIGNING_KEY_PATH, or made in the data dir)."""
    return keys.load_or_create(settings, TerminalsSettings().signing_key_path)
