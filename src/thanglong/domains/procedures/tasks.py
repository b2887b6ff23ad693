"""Scheduled work of the procedures domain: Form 04 drafting, the orphaned-files sweep, tracking misses.

The DVCQG sync and VNPost orders are durable jobs (kinds procedures.dvcqg and procedures.vnpost, see the
manifest), run continuously by the worker; their handlers live beside their services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.documents import services as services_documents
from thanglong.domains.procedures.dossiers import sweep, tracking
from thanglong.domains.procedures.dossiers.files import store_for

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def draft_apologies(platform: Platform) -> None:
    """Draft, sign and send Form 04 for the dossiers one working day before they would be late."""
    services_documents.draft_apologies(platform)


def sweep_orphaned_files(platform: Platform) -> None:
    """Remove attachment files no row references, older than the grace period (a filing may be in flight)."""
    grace = platform.config(ProcedureSettings).files_sweep_grace_minutes
    with platform.uow() as uow:
        sweep.sweep_orphans(uow, store_for(platform), grace_minutes=grace)


def purge_tracking_failures(platform: Platform) -> None:
    """Delete the public tracking misses that have left the throttling window."""
    window = platform.config(ProcedureSettings).tracking_window_seconds
    with platform.uow() as uow:
        tracking.purge_failures(uow, older_than_seconds=window)
