"""Collect the roles and permissions the enabled manifests declare, and check that they fit together.

The kernel declares permissions but no role; each domain declares its own roles (`RoleDef`) and grants
permissions to them. What the platform keeps is the effective catalogue: every permission with the full
set of roles that hold it, whichever manifest granted it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from thanglong.core.errors import ThangLongError
from thanglong.core.manifest import DomainManifest
from thanglong.core.security import ROLE_NAME_RE, Permission, RoleDef, RoleName, RoleRegistry


class AccessDeclarationError(ThangLongError):
    """Roles and permissions declared by the manifests contradict each other: start-up stops."""

    status = 500


def _error(code: str, vi: str, en: str, **details: str) -> AccessDeclarationError:
    return AccessDeclarationError(code, vi, en, **details)


def collect_roles(manifests: Sequence[DomainManifest]) -> RoleRegistry:
    """Return the roles of the manifests; refuse a malformed name or one declared twice."""
    roles: dict[RoleName, RoleDef] = {}
    owners: dict[RoleName, str] = {}
    for manifest in manifests:
        for role in manifest.roles:
            if not ROLE_NAME_RE.fullmatch(role.name):
                raise _error(
                    "role.invalid_name",
                    f"lĩnh vực {manifest.name!r} khai báo vai trò {role.name!r} có tên không hợp lệ "
                    "(2–32 ký tự: chữ thường không dấu, chữ số, gạch dưới; bắt đầu bằng chữ cái)",
                    f"domain {manifest.name!r} declares the role {role.name!r} with an invalid name "
                    "(2-32 characters: lower-case ASCII letters, digits, underscores; a letter first)",
                    domain=manifest.name,
                    role=role.name,
                )
            if role.name in roles:
                first = owners[role.name]
                raise _error(
                    "role.declared_twice",
                    f"vai trò {role.name!r} được khai báo hai lần: bởi {first!r} và bởi {manifest.name!r}",
                    f"role {role.name!r} is declared twice: by {first!r} and by {manifest.name!r}",
                    role=role.name,
                    domains=f"{first},{manifest.name}",
                )
            roles[role.name] = role
            owners[role.name] = manifest.name
    return RoleRegistry(roles=roles, owners=owners)


def collect_permissions(manifests: Sequence[DomainManifest], registry: RoleRegistry) -> dict[str, Permission]:
    """Return the effective catalogue: each permission with every role that holds it.

    A permission declared twice, granted to a role no enabled manifest declares, or named in a role's
    `grants` without being declared stops start-up, naming both.
    """
    permissions: dict[str, Permission] = {}
    owners: dict[str, str] = {}
    everyone = frozenset(registry.names())
    for manifest in manifests:
        for perm in manifest.permissions:
            if perm.name in permissions:
                first = owners[perm.name]
                raise _error(
                    "permission.declared_twice",
                    f"quyền {perm.name!r} được khai báo hai lần: bởi {first!r} và bởi {manifest.name!r}",
                    f"permission {perm.name!r} is declared twice: by {first!r} and by {manifest.name!r}",
                    permission=perm.name,
                )
            undeclared = sorted(perm.roles - everyone)
            if undeclared:
                role = undeclared[0]
                raise _error(
                    "permission.undeclared_role",
                    f"quyền {perm.name!r} (lĩnh vực {manifest.name!r}) được cấp cho vai trò {role!r} "
                    "mà không lĩnh vực nào đang bật khai báo",
                    f"permission {perm.name!r} (domain {manifest.name!r}) is granted to the role "
                    f"{role!r}, which no enabled domain declares",
                    permission=perm.name,
                    role=role,
                )
            permissions[perm.name] = replace(perm, roles=everyone) if perm.every_role else perm
            owners[perm.name] = manifest.name
    for name, declared in registry.roles.items():
        for granted in declared.grants:
            held = permissions.get(granted)
            if held is None:
                raise _error(
                    "role.undeclared_permission",
                    f"vai trò {name!r} (lĩnh vực {registry.owners[name]!r}) được cấp quyền {granted!r} "
                    "mà không lĩnh vực nào đang bật khai báo",
                    f"role {name!r} (domain {registry.owners[name]!r}) is granted the permission "
                    f"{granted!r}, which no enabled domain declares",
                    permission=granted,
                    role=name,
                )
            permissions[granted] = replace(held, roles=held.roles | {name})
    return permissions
