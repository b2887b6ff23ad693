"""Registration of the payments domain."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, Schedule
from thanglong.core.security import Permission, Role

MANIFEST = DomainManifest(
    name="payments",
    title_vi="Thanh toán",
    title_en="Payments",
    depends_on=("identity",),
    router="thanglong.domains.payments.web:build_router",
    cli="thanglong.domains.payments.cli:app",
    cli_name="payments",
    templates="thanglong.domains.payments",
    permissions=(
        Permission("payments.pay", "Thanh toán trực tuyến", "Pay online", frozenset(Role)),
        Permission(
            "payments.manage",
            "Quản lý thanh toán, hoàn tiền",
            "Manage payments and refunds",
            frozenset({Role.ADMINISTRATOR, Role.AGENCY_HEAD}),
        ),
        Permission(
            "payments.reconcile",
            "Đối soát thanh toán",
            "Reconcile payments",
            frozenset({Role.ADMINISTRATOR}),
        ),
    ),
    schedules=(
        Schedule("payments.reconcile", 24 * 3600, "thanglong.domains.payments.tasks:reconcile_yesterday"),
    ),
)
