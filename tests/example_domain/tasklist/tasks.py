"""Tasklist background work: the reminder job, the hourly snapshot schedule and the setup hook."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from tests.example_domain.tasklist.events import TaskAdded
from tests.example_domain.tasklist.manifest import OPEN_SERIES
from tests.example_domain.tasklist.models import Task
from tests.example_domain.tasklist.services import count_open
from thanglong.core.bus import Event
from thanglong.core.jobs import JobContext
from thanglong.core.platform import Platform
from thanglong.core.timeseries.append import append

logger = logging.getLogger(__name__)


def remind(ctx: JobContext) -> None:
    """Job: count one more reminder on a task still open (the runner commits)."""
    row = ctx.uow.session.get(Task, uuid.UUID(ctx.job.payload["task_id"]))
    if row is not None and row.done_at is None:
        row.reminders += 1


def record_open_count(platform: Platform, slot: datetime | None = None) -> int:
    """Schedule: record the open tasks into the time series at the slot (now, for a run by hand)."""
    with platform.uow() as uow:
        count = count_open(uow)
        append(uow, [(OPEN_SERIES, slot or uow.clock(), float(count))])
        uow.commit()
    return count


def _log_added(events: Sequence[Event]) -> None:
    added = sum(isinstance(event, TaskAdded) for event in events)
    if added:
        logger.info("tasklist: %d việc mới / new task(s) committed", added)


def setup(platform: Platform) -> None:
    """Setup hook: log each commit that adds tasks (an in-process observer, a hint only)."""
    platform.bus.observe_commits(_log_added)
