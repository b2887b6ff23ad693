"""The contract between the web shell and the domains' routers, free of any web framework.

The web shell builds a WebContext and passes it to each domain's router factory, so a domain's
web.py gets authentication, CSRF checks and templates without importing the web shell.
"""

from __future__ import annotations

from typing import Any, Protocol

from thanglong.core.platform import Platform


class WebContext(Protocol):
    """What a domain router factory receives."""

    platform: Platform

    def requires(self, permission: str) -> Any:
        """Return a FastAPI dependency that yields the Principal holding `permission` (else 401/403)."""

    def authenticated(self) -> Any:
        """Return a dependency that yields the Principal of any signed-in user or API key."""

    def public(self) -> Any:
        """Return a dependency for a route open to everyone; yields the Principal (maybe anonymous)."""

    def render(self, request: Any, template: str, context: dict[str, Any], status_code: int = 200) -> Any:
        """Render a Jinja2 template inside the shell's layout."""

    def language(self, request: Any) -> str:
        """Return the language of the request ("vi" or "en")."""

    def client_ip(self, request: Any) -> str | None:
        """Return the client address recorded in the audit log."""
