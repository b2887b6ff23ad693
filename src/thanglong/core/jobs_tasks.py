"""The kernel's scheduled job-queue work (retention) and its queue-health KPIs."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from thanglong.core import jobs
from thanglong.core.uow import UnitOfWork

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

# Finished jobs are kept a week for the admin page and investigations; dead ones until an operator
# retries or purges them.
DONE_RETENTION = timedelta(days=7)


def purge_finished(platform: Platform) -> None:
    """Delete the jobs that finished more than a week ago (relayed events included)."""
    with platform.uow() as uow:
        jobs.purge(uow.session, before=uow.clock() - DONE_RETENTION)
        uow.commit()


def _health(uow: UnitOfWork) -> jobs.QueueHealth:
    return jobs.health(uow.session, uow.clock(), uow.job_kinds)


def kpi_queued(uow: UnitOfWork) -> float:
    """Count the jobs waiting to run."""
    return float(_health(uow).queued)


def kpi_running(uow: UnitOfWork) -> float:
    """Count the jobs leased by a worker now."""
    return float(_health(uow).running)


def kpi_dead(uow: UnitOfWork) -> float:
    """Count the jobs that gave up."""
    return float(_health(uow).dead)


def kpi_oldest_age(uow: UnitOfWork) -> float | None:
    """Measure how long the oldest due job has waited, in seconds."""
    health = _health(uow)
    # With nothing queued there is no oldest job: no data, not an age of zero.
    return round(health.oldest_queued_seconds, 1) if health.queued > health.held else None
