"""Registration of the payments domain."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, Schedule
from thanglong.core.security import Permission
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD

MANIFEST = DomainManifest(
    name="payments",
    title_vi="Thanh toán",
    title_en="Payments",
    settings="thanglong.domains.payments.config:PaymentSettings",
    depends_on=("identity",),
    router="thanglong.domains.payments.web:build_router",
    cli="thanglong.domains.payments.cli:app",
    cli_name="payments",
    templates="thanglong.domains.payments",
    migrations="thanglong.domains.payments",
    permissions=(
        Permission("payments.pay", "Thanh toán trực tuyến", "Pay online", every_role=True),
        Permission(
            "payments.manage",
            "Quản lý thanh toán, hoàn tiền",
            "Manage payments and refunds",
            frozenset({ADMINISTRATOR, AGENCY_HEAD}),
        ),
        Permission(
            "payments.reconcile",
            "Đối soát thanh toán",
            "Reconcile payments",
            frozenset({ADMINISTRATOR}),
        ),
    ),
    schedules=(
        # 02:00 Hanoi time, once a day; every missed day is reconciled after a stop (the job reads the
        # day from its slot).
        Schedule(
            name="payments.reconcile",
            job="thanglong.domains.payments.tasks:reconcile_yesterday",
            cron="0 2 * * *",
            catch_up="all",
        ),
    ),
)
