"""Registration of the notify domain."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, NavItem, Schedule
from thanglong.core.security import Permission, Role

MANIFEST = DomainManifest(
    name="notify",
    title_vi="Thông báo",
    title_en="Notifications",
    depends_on=("identity",),
    router="thanglong.domains.notify.web:build_router",
    cli="thanglong.domains.notify.cli:app",
    cli_name="notify",
    handlers="thanglong.domains.notify.services:register_handlers",
    demo="thanglong.domains.notify.services:load_demo",
    templates="thanglong.domains.notify",
    permissions=(
        Permission("notify.inbox.read", "Xem hộp thư của mình", "Read own inbox", frozenset(Role)),
        Permission(
            "notify.send",
            "Gửi thông báo",
            "Send notifications",
            frozenset({Role.ADMINISTRATOR, Role.OPERATOR}),
        ),
        Permission(
            "notify.templates.write",
            "Quản lý mẫu thông báo",
            "Manage templates",
            frozenset({Role.ADMINISTRATOR}),
        ),
    ),
    nav=(NavItem("/inbox", "Hộp thư", "Inbox", "notify.inbox.read"),),
    schedules=(
        # Each pass delivers everything due, so a pass after a stop makes up for the missed ones.
        Schedule(
            name="notify.deliver", job="thanglong.domains.notify.tasks:deliver_pending", every_seconds=10
        ),
    ),
)
