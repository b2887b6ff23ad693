"""Roles, permissions and the authenticated principal, free of any web framework."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """The roles of the platform (stable values; labels are translated)."""

    CITIZEN = "citizen"
    OFFICER = "officer"
    AGENCY_HEAD = "agency_head"
    OPERATOR = "operator"
    SECURITY_ANALYST = "security_analyst"
    ADMINISTRATOR = "administrator"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.CITIZEN: ("Công dân", "Citizen"),
    Role.OFFICER: ("Cán bộ", "Officer"),
    Role.AGENCY_HEAD: ("Thủ trưởng cơ quan", "Agency head"),
    Role.OPERATOR: ("Điều hành viên", "Operator"),
    Role.SECURITY_ANALYST: ("Chuyên viên an ninh mạng", "Security analyst"),
    Role.ADMINISTRATOR: ("Quản trị viên", "Administrator"),
}


@dataclass(frozen=True)
class Permission:
    """A named permission that a domain declares and grants to roles."""

    name: str
    label_vi: str
    label_en: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user, an API key or nobody."""

    kind: str  # "user", "api_key" or "anonymous"
    id: uuid.UUID | None = None
    name: str = "anonymous"
    roles: frozenset[Role] = frozenset()
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


def permissions_for(roles: frozenset[Role], catalogue: dict[str, Permission]) -> frozenset[str]:
    """Return the names of the permissions granted to any of the roles."""
    return frozenset(name for name, perm in catalogue.items() if perm.roles & roles)
