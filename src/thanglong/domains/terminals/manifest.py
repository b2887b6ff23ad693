"""Registration of the terminals domain (household information terminals)."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, EventHandler, NavItem
from thanglong.core.security import Permission, RoleDef
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
    # Bills (docs/terminals-bills.md): terminals call with their own API key of this role.
    roles=(
        RoleDef(
            "household_terminal",
            "Thiết bị hộ gia đình",
            "Household terminal",
            "Khoá API của một thiết bị: xem và thanh toán hoá đơn của hộ mình.",
            "A terminal's API key: sees and pays its own household's bills.",
        ),
    ),
    event_handlers=(
        EventHandler(
            "thanglong.domains.payments.api:PaymentSucceeded",
            "thanglong.domains.terminals.bills.paying:on_payment_succeeded",
        ),
    ),
    nav=(
        NavItem(
            "/terminals/bills", "Hoá đơn điện, nước", "Electricity and water bills", "terminals.bills.manage"
        ),
    ),
    demo="thanglong.domains.terminals.bills.demo:load_demo",
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
        Permission(
            "terminals.bills.pay",
            "Xem và thanh toán hoá đơn của hộ mình (thiết bị)",
            "See and pay one's own household's bills (terminal)",
            frozenset({"household_terminal"}),
        ),
    ),
)
