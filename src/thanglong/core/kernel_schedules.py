"""Schedules the kernel itself needs, run by every worker beside the domains' schedules."""

from __future__ import annotations

from thanglong.core.manifest import Schedule

KERNEL_SCHEDULES: tuple[Schedule, ...] = (
    # Sealing often keeps the unsealed tail (which a database administrator could still delete unseen) short.
    Schedule("core.audit.seal", 5, "thanglong.core.audit:seal_job"),
    Schedule("core.audit.checkpoint", 60, "thanglong.core.audit_checkpoint:checkpoint_job"),
)
