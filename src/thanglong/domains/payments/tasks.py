"""Background jobs of the payments domain."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from thanglong.core.clock import to_hanoi
from thanglong.domains.payments.reconcile import ReconciliationReport, reconcile

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)


def reconcile_yesterday(platform: Platform, *, slot: datetime | None = None) -> ReconciliationReport:
    """Reconcile the Hanoi day before the schedule's slot (before now when run by hand); log mismatches."""
    # The slot, not the clock, names the day, so catching up after a stop reconciles each missed day.
    day = to_hanoi(slot or platform.clock()).date() - timedelta(days=1)
    with platform.uow() as uow:
        report = reconcile(uow, day)
    if report.balanced:
        logger.info("payments reconciled for %s: %d payments", day, report.payments_count)
    else:
        logger.warning("payments do not reconcile for %s: %s", day, report.as_dict())
    return report
