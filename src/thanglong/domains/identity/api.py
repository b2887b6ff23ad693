"""What other domains and the web shell may use from identity: functions and DTOs.

Importing it is cheap: role names are plain constants, and the services behind the functions and DTOs
load on first use. Every domain manifest imports the role names, and the command line loads every
manifest to find a command, so a heavy import here would slow down every `thanglong` command.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from thanglong.domains.identity.roles import (
    ADMINISTRATOR,
    AGENCY_HEAD,
    CITIZEN,
    OFFICER,
    OPERATOR,
    SECURITY_ANALYST,
)

if TYPE_CHECKING:
    from thanglong.core.platform import Platform
    from thanglong.core.security import Principal, RoleName
    from thanglong.core.uow import UnitOfWork
    from thanglong.domains.identity.agencies import (
        AgencyDTO,
        agency_exists,
        find_agency,
        get_agency,
        list_agencies,
        recent_agency,
    )
    from thanglong.domains.identity.credentials import ApiKeyDTO
    from thanglong.domains.identity.services import (
        UserContact,
        UserDTO,
        agency_members,
        find_user,
        get_user,
        list_agency_members,
        list_users,
    )

# Names re-exported from the modules that hold them, imported when first asked for (PEP 562).
_LAZY = {
    "AgencyDTO": "agencies",
    "agency_exists": "agencies",
    "find_agency": "agencies",
    "get_agency": "agencies",
    "list_agencies": "agencies",
    "recent_agency": "agencies",
    "ApiKeyDTO": "credentials",
    "UserContact": "services",
    "UserDTO": "services",
    "agency_members": "services",
    "find_user": "services",
    "get_user": "services",
    "list_agency_members": "services",
    "list_users": "services",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"thanglong.domains.identity.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ADMINISTRATOR",
    "AGENCY_HEAD",
    "CITIZEN",
    "OFFICER",
    "OPERATOR",
    "SECURITY_ANALYST",
    "AgencyDTO",
    "ApiKeyDTO",
    "UserContact",
    "UserDTO",
    "agency_exists",
    "agency_members",
    "cached_api_key",
    "create_api_key",
    "create_user",
    "find_agency",
    "find_user",
    "get_agency",
    "get_user",
    "get_user_contact",
    "list_agencies",
    "list_agency_members",
    "list_users",
    "recent_agency",
    "resolve_api_key",
    "resolve_session",
    "user_ids_with_role",
]


def create_user(
    uow: UnitOfWork,
    *,
    actor: str,
    username: str,
    password: str | None,
    roles: Iterable[RoleName],
    full_name: str = "",
    email: str | None = None,
    phone: str | None = None,
    agency_id: uuid.UUID | None = None,
    source_ip: str | None = None,
) -> UserDTO:
    """Create an account with its roles and commit."""
    from thanglong.domains.identity import services  # noqa: PLC0415

    return services.create_user(
        uow,
        actor=actor,
        username=username,
        password=password,
        roles=roles,
        full_name=full_name,
        email=email,
        phone=phone,
        agency_id=agency_id,
        source_ip=source_ip,
    )


def get_user_contact(uow: UnitOfWork, user_id: uuid.UUID) -> UserContact | None:
    """Return how to reach a user (name, e-mail, phone, language), or None."""
    from thanglong.domains.identity import services  # noqa: PLC0415

    return services.get_user_contact(uow, user_id)


def user_ids_with_role(uow: UnitOfWork, role: RoleName) -> list[uuid.UUID]:
    """Return the ids of the active users holding a role."""
    from thanglong.domains.identity import services  # noqa: PLC0415

    return [u.id for u in services.list_users(uow, role=role, limit=100_000) if u.is_active]


def resolve_session(platform: Platform, token: str) -> Principal | None:
    """Return the principal of a raw session token, or None when unknown, ended or expired."""
    from thanglong.domains.identity import credentials  # noqa: PLC0415

    with platform.uow() as uow:
        return credentials.resolve_session(
            uow,
            token,
            max_age_seconds=platform.settings.session_max_age_seconds,
            catalogue=platform.permissions,
        )


def resolve_api_key(platform: Platform, key: str) -> Principal | None:
    """Return the principal of an API key, or None when unknown or revoked."""
    from thanglong.domains.identity import credentials  # noqa: PLC0415

    with platform.uow() as uow:
        return credentials.resolve_api_key(uow, key, catalogue=platform.permissions)


def cached_api_key(key: str) -> Principal | None:
    """Return the principal of an API key resolved moments ago in this process (no I/O), else None."""
    from thanglong.domains.identity import credentials  # noqa: PLC0415

    return credentials.cached_api_key(key)


def create_api_key(uow: UnitOfWork, *, actor: str, name: str, role: RoleName) -> tuple[ApiKeyDTO, str]:
    """Issue an API key; the plain key is returned once and never stored."""
    from thanglong.domains.identity import credentials  # noqa: PLC0415

    return credentials.create_api_key(uow, actor=actor, name=name, role=role)
