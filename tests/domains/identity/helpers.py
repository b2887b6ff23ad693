"""Helpers for identity tests: make users, sign clients in, send CSRF tokens."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, RoleName
from thanglong.core.testing.factories import unique
from thanglong.domains.identity import credentials, services
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.identity.services import UserDTO
from thanglong.web.app import build_templates
from thanglong.web.context import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, ShellContext

PASSWORD = "Mật-khẩu-thử-2025"


def make_user(
    platform: Platform, *roles: RoleName, password: str | None = PASSWORD, username: str | None = None
) -> UserDTO:
    """Create a user with the given roles (citizen when none)."""
    with platform.uow() as uow:
        return services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=username or unique("user"),
            password=password,
            roles=roles or (CITIZEN,),
            full_name="Người Thử",
        )


def session_cookie(platform: Platform, user: UserDTO) -> str:
    """Open a session for a user and return the signed cookie value."""
    with platform.uow() as uow:
        new = credentials.create_session(
            uow, user_id=user.id, max_age_seconds=platform.settings.session_max_age_seconds
        )
    return ShellContext(platform, build_templates(platform)).sign_session(new.token)


def sign_in(client: TestClient, platform: Platform, user: UserDTO) -> None:
    """Give the client a live session of the user and a CSRF cookie."""
    client.cookies.set(SESSION_COOKIE, session_cookie(platform, user))
    csrf(client)


def csrf_value(client: TestClient) -> str:
    """Make sure the client has a CSRF cookie; return the token a page would hold for its session."""
    nonce = client.cookies.get(CSRF_COOKIE)
    if not nonce:
        nonce = secrets.token_urlsafe(32)
        client.cookies.set(CSRF_COOKIE, nonce)
    shell = client.app.state.shell  # type: ignore[attr-defined]
    return str(shell.csrf_token_for(nonce, client.cookies.get(SESSION_COOKIE)))


def csrf(client: TestClient) -> dict[str, str]:
    """Return the CSRF header for the client's current session (minting the cookie if needed)."""
    return {CSRF_HEADER: csrf_value(client)}


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 9, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)
