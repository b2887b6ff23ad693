"""Events of the identity domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from thanglong.core.bus import Event


@dataclass(frozen=True)
class UserCreated(Event):
    """A user account was created."""

    user_id: uuid.UUID
    username: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class UserRolesChanged(Event):
    """The roles of a user were replaced."""

    user_id: uuid.UUID
    roles: tuple[str, ...]


@dataclass(frozen=True)
class UserDeactivated(Event):
    """A user account was deactivated and its sessions ended."""

    user_id: uuid.UUID


@dataclass(frozen=True)
class UserSignedIn(Event):
    """A user signed in and a session was opened."""

    user_id: uuid.UUID
    method: str


@dataclass(frozen=True)
class ApiKeyCreated(Event):
    """An API key was issued."""

    key_id: uuid.UUID
    prefix: str
    role: str


@dataclass(frozen=True)
class ApiKeyRevoked(Event):
    """An API key was revoked."""

    key_id: uuid.UUID
    prefix: str
