"""Registration of the terminals domain (household information terminals)."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, NavItem
from thanglong.core.security import Permission
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, OFFICER, OPERATOR

MANIFEST = DomainManifest(
    name="terminals",
    title_vi="Thiết bị thông tin hộ gia đình",
    title_en="Household information terminals",
    depends_on=("identity", "notify", "payments", "operations"),
    router="thanglong.domains.terminals.web.routes:build_router",
    cli="thanglong.domains.terminals.cli:app",
    cli_name="terminals",
    templates="thanglong.domains.terminals",
    migrations="thanglong.domains.terminals",
    static="thanglong.domains.terminals",
    demo="thanglong.domains.terminals.announcements.demo:load_demo",
    nav=(
        NavItem(
            "/terminals/announcements",
            "Bản tin thiết bị hộ gia đình",
            "Household terminal announcements",
            "terminals.announcements.draft",
        ),
    ),
    permissions=(
        Permission(
            "terminals.announcements.draft",
            "Soạn bản tin phát trên thiết bị hộ gia đình",
            "Draft announcements for household terminals",
            frozenset({OFFICER, AGENCY_HEAD, ADMINISTRATOR}),
        ),
        Permission(
            "terminals.announcements.approve",
            "Duyệt bản tin (người thứ hai); trực ban duyệt một mình bản tin khẩn cấp",
            "Approve announcements (second person); the duty head alone for emergencies",
            frozenset({AGENCY_HEAD}),
        ),
        Permission(
            "terminals.fleet.manage",
            "Quản lý hộ gia đình, thiết bị và lệnh điều khiển",
            "Manage households, terminals and their commands",
            frozenset({OPERATOR, ADMINISTRATOR}),
        ),
        Permission(
            "terminals.bills.manage",
            "Nhập hoá đơn điện, nước và đối soát",
            "Import electricity and water bills and reconcile them",
            frozenset({OPERATOR, ADMINISTRATOR}),
        ),
    ),
)
