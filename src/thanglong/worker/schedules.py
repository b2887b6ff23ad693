"""Run the domains' scheduled jobs: each every `every_seconds`, a failure logged and never fatal."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from thanglong.core import kernel
from thanglong.core.manifest import Schedule, resolve
from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)

Monotonic = Callable[[], float]


@dataclass(frozen=True)
class JobResult:
    """The outcome of one job run."""

    name: str
    ok: bool
    seconds: float
    error: str | None = None
    skipped: bool = False


def all_schedules(platform: Platform) -> list[Schedule]:
    """Return the kernel's schedules, then every schedule declared by the enabled domains, in order."""
    return [
        *kernel.SCHEDULES,
        *(schedule for manifest in platform.manifests for schedule in manifest.schedules),
    ]


def _lock_key(name: str) -> int:
    digest = hashlib.sha256(f"thanglong.schedule:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _exclusive(platform: Platform, name: str) -> Iterator[bool]:
    """Hold a PostgreSQL advisory lock so that one worker process at a time runs a given job."""
    if platform.engine.dialect.name != "postgresql":
        # SQLite means one machine and, in practice, one job runner.
        yield True
        return
    with platform.engine.connect() as conn:
        key = _lock_key(name)
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def run_job(platform: Platform, schedule: Schedule) -> JobResult:
    """Run one scheduled job now; report its failure instead of raising."""
    started = time.perf_counter()
    try:
        with _exclusive(platform, schedule.name) as mine:
            if not mine:
                return JobResult(schedule.name, True, 0.0, skipped=True)
            job: Any = resolve(schedule.job)
            job(platform)
    except Exception as exc:  # one failing job must not stop the others or the loop
        logger.exception("scheduled job %s (%s) failed", schedule.name, schedule.job)
        return JobResult(
            schedule.name, False, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}"
        )
    return JobResult(schedule.name, True, time.perf_counter() - started)


@dataclass
class Scheduler:
    """Remember when each schedule is next due; the first run of each is due at once."""

    schedules: list[Schedule]
    monotonic: Monotonic = time.monotonic
    _next_due: dict[str, float] = field(default_factory=dict)

    def due(self) -> list[Schedule]:
        """Return the schedules whose time has come."""
        now = self.monotonic()
        return [s for s in self.schedules if self._next_due.get(s.name, now) <= now]

    def mark_run(self, schedule: Schedule) -> None:
        """Set the next due time of a schedule that has just run."""
        self._next_due[schedule.name] = self.monotonic() + max(schedule.every_seconds, 1)

    def seconds_until_next(self) -> float:
        """Return how long the loop may sleep before a schedule is due."""
        if not self.schedules:
            return float("inf")
        now = self.monotonic()
        return max(0.0, min(self._next_due.get(s.name, now) for s in self.schedules) - now)

    def run_due(self, platform: Platform) -> list[JobResult]:
        """Run every due schedule once, in order."""
        results = []
        for schedule in self.due():
            results.append(run_job(platform, schedule))
            self.mark_run(schedule)
        return results
