"""Registration of the identity domain."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, NavItem, Schedule
from thanglong.core.security import Permission
from thanglong.domains.identity.roles import (
    ADMINISTRATOR,
    AGENCY_HEAD,
    OFFICER,
    OPERATOR,
    ROLES,
    SECURITY_ANALYST,
)

STAFF = frozenset({OFFICER, AGENCY_HEAD, OPERATOR, SECURITY_ANALYST, ADMINISTRATOR})
ADMIN = frozenset({ADMINISTRATOR})

MANIFEST = DomainManifest(
    name="identity",
    title_vi="Định danh và tài khoản",
    title_en="Identity and accounts",
    depends_on=(),
    router="thanglong.domains.identity.web:build_router",
    cli="thanglong.domains.identity.cli:app",
    cli_name="users",
    setup="thanglong.domains.identity.services:configure",
    demo="thanglong.domains.identity.demo:load_demo",
    templates="thanglong.domains.identity",
    roles=ROLES,
    migrations="thanglong.domains.identity",
    permissions=(
        Permission("identity.profile.read", "Xem hồ sơ của mình", "View own profile", every_role=True),
        Permission("identity.users.read", "Xem danh sách tài khoản", "List accounts", ADMIN),
        Permission("identity.users.write", "Quản lý tài khoản", "Manage accounts", ADMIN),
        Permission("identity.agencies.read", "Xem danh sách cơ quan", "List agencies", STAFF),
        Permission("identity.agencies.write", "Quản lý cơ quan", "Manage agencies", ADMIN),
        Permission("identity.apikeys.write", "Quản lý khoá API", "Manage API keys", ADMIN),
        Permission("core.audit.read", "Xem nhật ký kiểm toán", "Read the audit log", ADMIN),
        Permission("core.calendar.write", "Sửa lịch làm việc", "Edit the working calendar", ADMIN),
    ),
    nav=(
        NavItem("/admin/users", "Quản trị tài khoản", "Users admin", "identity.users.read"),
        NavItem("/admin/agencies", "Cơ quan", "Agencies", "identity.agencies.read"),
        NavItem("/admin/calendar", "Lịch làm việc", "Working calendar", "core.calendar.write"),
    ),
    schedules=(
        # At the top of every hour; after a stop one purge catches up on everything.
        Schedule(
            name="identity.purge", job="thanglong.domains.identity.tasks:purge_expired", every_seconds=3600
        ),
    ),
)
