"""Registration of the notify domain."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, JobKind, NavItem
from thanglong.core.security import Permission
from thanglong.domains.identity.api import ADMINISTRATOR, OPERATOR

MANIFEST = DomainManifest(
    name="notify",
    title_vi="Thông báo",
    title_en="Notifications",
    depends_on=("identity",),
    router="thanglong.domains.notify.web:build_router",
    cli="thanglong.domains.notify.cli:app",
    cli_name="notify",
    demo="thanglong.domains.notify.services:load_demo",
    templates="thanglong.domains.notify",
    migrations="thanglong.domains.notify",
    permissions=(
        Permission("notify.inbox.read", "Xem hộp thư của mình", "Read own inbox", every_role=True),
        Permission(
            "notify.send",
            "Gửi thông báo",
            "Send notifications",
            frozenset({ADMINISTRATOR, OPERATOR}),
        ),
        Permission(
            "notify.templates.write",
            "Quản lý mẫu thông báo",
            "Manage templates",
            frozenset({ADMINISTRATOR}),
        ),
    ),
    nav=(NavItem("/inbox", "Hộp thư", "Inbox", "notify.inbox.read"),),
    jobs=(
        JobKind(
            "notify.deliver",
            "thanglong.domains.notify.tasks:deliver",
            max_attempts=5,
            backoff_base_seconds=30.0,
            backoff_cap_seconds=3600.0,
            lease_seconds=300,
            on_failure="thanglong.domains.notify.tasks:record_failure",
        ),
    ),
)
