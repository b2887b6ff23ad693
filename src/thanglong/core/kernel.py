"""The kernel's own manifest: its job kinds, schedules, KPIs and permissions, declared like a domain's."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, JobKind, KpiProvider, NavItem, Schedule
from thanglong.core.security import Permission
from thanglong.core.uow import RELAY_KIND

# KPIs are recorded into the time series this often (core.kpi serves values up to three periods old).
KPI_RECORD_EVERY_SECONDS = 300

KERNEL = DomainManifest(
    name="core",
    title_vi="Lõi nền tảng",
    title_en="Platform kernel",
    # The kernel names no role: a domain that declares roles grants these to them (RoleDef.grants).
    permissions=(
        Permission("core.jobs.manage", "Quản lý hàng đợi công việc", "Manage the job queue"),
        Permission("core.stats.read", "Xem chỉ số vận hành nền tảng", "View platform health figures"),
    ),
    nav=(NavItem("/admin/jobs", "Hàng đợi công việc", "Job queue", "core.jobs.manage"),),
    jobs=(
        # Publishing to the broker is quick: a batch shares one transaction. The broker may be away for
        # a while, so the relay keeps trying (capped at a minute) instead of giving up on events.
        JobKind(
            RELAY_KIND,
            "thanglong.core.relay:publish_event",
            max_attempts=100_000,
            backoff_base_seconds=1.0,
            backoff_cap_seconds=60.0,
            lease_seconds=60,
            batch_transaction=True,
            # Every live page hears through the relay: it must not wait behind thousands of bulk jobs.
            urgent=True,
        ),
    ),
    schedules=(
        Schedule(
            name="core.jobs.retention", job="thanglong.core.jobs_tasks:purge_finished", cron="30 3 * * *"
        ),
        # Sealing often keeps the unsealed tail (which a database administrator could delete unseen) short.
        Schedule(
            name="core.audit.seal", job="thanglong.core.audit:seal_job", every_seconds=5, catch_up="skip"
        ),
        Schedule(
            name="core.timeseries.maintain",
            job="thanglong.core.timeseries.maintenance:maintain",
            every_seconds=3600,
        ),
        Schedule(
            name="core.kpis.record",
            job="thanglong.core.kpi:record_all",
            every_seconds=KPI_RECORD_EVERY_SECONDS,
        ),
        Schedule(
            name="core.audit.checkpoint",
            job="thanglong.core.audit_checkpoint:checkpoint_job",
            every_seconds=60,
            catch_up="skip",
        ),
    ),
    kpis=(
        KpiProvider(
            "core.jobs.queued",
            "Công việc đang chờ",
            "Jobs waiting",
            "việc",
            "thanglong.core.jobs_tasks:kpi_queued",
        ),
        KpiProvider(
            "core.jobs.running",
            "Công việc đang chạy",
            "Jobs running",
            "việc",
            "thanglong.core.jobs_tasks:kpi_running",
        ),
        KpiProvider(
            "core.jobs.dead",
            "Công việc thất bại hẳn",
            "Dead jobs",
            "việc",
            "thanglong.core.jobs_tasks:kpi_dead",
        ),
        KpiProvider(
            "core.jobs.oldest_age",
            "Thời gian chờ của công việc cũ nhất",
            "Age of the oldest waiting job",
            "s",
            "thanglong.core.jobs_tasks:kpi_oldest_age",
        ),
    ),
)
