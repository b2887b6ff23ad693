"""The embedded broker's authentication: one user, a password compared by hash, no anonymous clients."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from amqtt.plugins.base import BaseAuthPlugin
from amqtt.session import Session


class PasswordAuthPlugin(BaseAuthPlugin):  # type: ignore[misc] # amqtt ships no type hints
    """Admit a client only with the platform's user name and password; refuse anonymous ones."""

    @dataclass
    class Config:
        """The user and the SHA-256 of its password (the broker never holds the password in clear)."""

        username: str = ""
        password_sha256: str = ""

    async def authenticate(self, *, session: Session) -> bool:
        """Compare the presented credentials with the configured ones in constant time."""
        config = self.config
        if not config.username or not config.password_sha256:
            return False
        if not session.username or session.password is None:
            return False
        presented = session.password
        raw = presented.encode() if isinstance(presented, str) else bytes(presented)
        digest = hashlib.sha256(raw).hexdigest()
        same_user = hmac.compare_digest(session.username.encode(), config.username.encode())
        return same_user and hmac.compare_digest(digest, config.password_sha256)
