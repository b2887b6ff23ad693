"""Background jobs of operations: each capability's scheduled work, declared in the manifest."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from thanglong.domains.operations.quality import services as quality

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def record_quality(platform: Platform, slot: datetime | None = None) -> None:
    """Assess every operations series and record its quality metrics at the slot (now when run by hand)."""
    with platform.uow() as uow:
        quality.record(uow, slot if slot is not None else platform.clock())


def refit_baselines(platform: Platform, slot: datetime | None = None) -> None:
    """Learn every operations series' seasonal baseline again from the last eight weeks."""
    with platform.uow() as uow:
        quality.fit_baselines(uow, slot if slot is not None else platform.clock())
