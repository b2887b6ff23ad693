"""Background jobs of the payments domain."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from thanglong.core.clock import to_hanoi
from thanglong.domains.payments.reconcile import ReconciliationReport, reconcile

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)


def reconcile_yesterday(platform: Platform) -> ReconciliationReport:
    """Reconcile the previous Hanoi day and log any mismatch for the finance officers."""
    day = to_hanoi(platform.clock()).date() - timedelta(days=1)
    with platform.uow() as uow:
        report = reconcile(uow, day)
    if report.balanced:
        logger.info("payments reconciled for %s: %d payments", day, report.payments_count)
    else:
        logger.warning("payments do not reconcile for %s: %s", day, report.as_dict())
    return report
