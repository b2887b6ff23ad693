"""Registration of the procedures domain."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, NavItem
from thanglong.core.security import Permission, Role

CITIZEN = frozenset({Role.CITIZEN})
OFFICERS = frozenset({Role.OFFICER, Role.AGENCY_HEAD, Role.ADMINISTRATOR})
HEADS = frozenset({Role.AGENCY_HEAD, Role.ADMINISTRATOR})

MANIFEST = DomainManifest(
    name="procedures",
    title_vi="Dịch vụ công trực tuyến",
    title_en="Online public services",
    depends_on=("identity", "notify", "payments"),
    router="thanglong.domains.procedures.web:build_router",
    cli="thanglong.domains.procedures.cli:app",
    cli_name="procedures",
    handlers="thanglong.domains.procedures.services_payments:register_handlers",
    demo="thanglong.domains.procedures.services_demo:load_demo",
    templates="thanglong.domains.procedures",
    permissions=(
        Permission("procedures.dossier.file", "Nộp hồ sơ trực tuyến", "File dossiers online", CITIZEN),
        Permission("procedures.dossier.process", "Xử lý hồ sơ", "Process dossiers", OFFICERS),
        Permission("procedures.dossier.sign", "Ký kết quả, văn bản", "Sign results and letters", HEADS),
        Permission(
            "procedures.catalogue.write",
            "Quản lý danh mục thủ tục",
            "Manage the catalogue",
            frozenset({Role.ADMINISTRATOR}),
        ),
        Permission(
            "procedures.stats.read", "Xem thống kê", "View statistics", HEADS | frozenset({Role.OPERATOR})
        ),
    ),
    nav=(
        NavItem("/procedures", "Thủ tục hành chính", "Procedures"),
        NavItem("/my/dossiers", "Hồ sơ của tôi", "My dossiers", "procedures.dossier.file"),
        NavItem("/officer/queue", "Hồ sơ cần xử lý", "Work queue", "procedures.dossier.process"),
    ),
)
