"""Roles, permissions and the authenticated principal, free of any web framework.

Roles are plain names declared by the manifests (`RoleDef`); the kernel names none. The platform
collects them when it is built (`core.roles`) into a `RoleRegistry` that validates names and labels them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from thanglong.core.errors import InvalidInput

# A role is its stable name, stored as such (identity_user_role.role, identity_api_key.role: 32 chars).
RoleName: TypeAlias = str
ROLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


@dataclass(frozen=True)
class RoleDef:
    """A role a domain declares: its stable name, labels and descriptions in Vietnamese and English.

    `grants` names permissions declared elsewhere (by the kernel, or by a domain this one depends on)
    that the role holds: the kernel cannot name the roles that may use its own permissions.
    """

    name: RoleName
    label_vi: str
    label_en: str
    description_vi: str = ""
    description_en: str = ""
    grants: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        """Return the label in a language ("vi" or "en")."""
        return self.label_en if language == "en" else self.label_vi

    def description(self, language: str) -> str:
        """Return the description in a language ("vi" or "en")."""
        return self.description_en if language == "en" else self.description_vi


@dataclass(frozen=True)
class Permission:
    """A named permission that a domain declares and grants to roles.

    `roles` names roles declared by the domain itself or by a domain it depends on; `every_role`
    grants it to every role of every enabled domain (one's own profile, one's own inbox).
    """

    name: str
    label_vi: str
    label_en: str
    roles: frozenset[RoleName] = frozenset()
    every_role: bool = False


class UnknownRole(InvalidInput):
    """A role name that no enabled domain declares (HTTP 422)."""

    def __init__(self, value: str, known: Iterable[RoleName]) -> None:
        listed = ", ".join(known) or "—"
        super().__init__(
            "unknown_role",
            f"Vai trò không tồn tại: {value}. Các vai trò: {listed}.",
            f"Unknown role: {value}. Known roles: {listed}.",
            role=value,
        )


@dataclass(frozen=True)
class RoleRegistry:
    """The roles the enabled manifests declare, in declaration order, with the domain of each."""

    roles: Mapping[RoleName, RoleDef] = field(default_factory=dict)
    owners: Mapping[RoleName, str] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.roles

    def names(self) -> list[RoleName]:
        """Return the declared role names, in declaration order."""
        return list(self.roles)

    def get(self, name: RoleName) -> RoleDef | None:
        """Return the declaration of a role, or None."""
        return self.roles.get(name)

    def label(self, name: RoleName, language: str) -> str:
        """Return a role's label in a language; a name no enabled domain declares is shown as is."""
        role = self.roles.get(name)
        return role.label(language) if role is not None else name

    def description(self, name: RoleName, language: str) -> str:
        """Return a role's description in a language ("" for an undeclared name)."""
        role = self.roles.get(name)
        return role.description(language) if role is not None else ""

    def check(self, values: Iterable[str], *, also: Iterable[RoleName] = ()) -> tuple[RoleName, ...]:
        """Return the names once each, in order; refuse one that is neither declared nor in `also`."""
        allowed = set(also)
        out: list[RoleName] = []
        for raw in values:
            value = str(raw).strip()
            if value not in self.roles and value not in allowed:
                raise UnknownRole(value, self.roles)
            if value not in out:
                out.append(value)
        return tuple(out)


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user, an API key or nobody."""

    kind: str  # "user", "api_key" or "anonymous"
    id: uuid.UUID | None = None
    name: str = "anonymous"
    roles: frozenset[RoleName] = frozenset()
    agency_id: uuid.UUID | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        """Tell whether credentials were presented and accepted."""
        return self.kind != "anonymous"

    @property
    def actor(self) -> str:
        """Return the actor string recorded in the audit log."""
        if self.kind == "anonymous":
            return "anonymous"
        return f"{self.kind}:{self.id}:{self.name}"

    def can(self, permission: str) -> bool:
        """Tell whether the principal holds a permission."""
        return permission in self.permissions


ANONYMOUS = Principal(kind="anonymous")
SYSTEM_ACTOR = "system"


def permissions_for(roles: frozenset[RoleName], catalogue: Mapping[str, Permission]) -> frozenset[str]:
    """Return the names of the permissions granted to any of the roles (in the platform's catalogue)."""
    return frozenset(name for name, perm in catalogue.items() if perm.roles & roles)
