"""The kernel's own schedules, run by the worker beside the domains' (until the kernel has a manifest)."""

from __future__ import annotations

from thanglong.core.kpi import RECORD_EVERY_SECONDS
from thanglong.core.manifest import Schedule

SCHEDULES: tuple[Schedule, ...] = (
    Schedule("core.timeseries.maintain", 3600, "thanglong.core.timeseries.maintenance:maintain"),
    Schedule("core.kpis.record", RECORD_EVERY_SECONDS, "thanglong.core.kpi:record_all"),
)
