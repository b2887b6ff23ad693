"""Batched job kinds: one transaction per claimed batch, a savepoint per job, successes marked together."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.core.jobs_support import kernel_db, kernel_platform
from thanglong.core import jobs
from thanglong.core.manifest import JobKind
from thanglong.core.models import CalendarDay, Job
from thanglong.core.platform import Platform

__all__ = ["kernel_db"]


def write_day(ctx: jobs.JobContext) -> None:
    """Write a calendar row named after the job; fail when the payload says so."""
    n = int(ctx.job.payload["n"])
    ctx.uow.session.add(
        CalendarDay(
            day=date(2027, 1, 1 + n),
            is_working=True,
            name_vi=f"việc {n}",
            name_en="",
            updated_at=ctx.uow.clock(),
        )
    )
    ctx.uow.session.flush()
    if ctx.job.payload.get("fail"):
        raise RuntimeError(f"hỏng {n}")


def steal_the_next(ctx: jobs.JobContext) -> None:
    """Act as if another worker took over the next job while this batch ran."""
    ctx.uow.session.execute(update(Job).where(Job.id == ctx.job.id + 1).values(locked_by="thief"))
    write_day(ctx)


@pytest.fixture
def kp(tmp_path: Path, kernel_db: str) -> Iterator[Platform]:
    """A kernel-only platform with two batched test kinds."""
    platform = kernel_platform(tmp_path, kernel_db)
    for kind, handler in (("t.batch", "write_day"), ("t.batch.steal", "steal_the_next")):
        platform.job_kinds[kind] = JobKind(
            kind, f"{__name__}:{handler}", max_attempts=3, backoff_base_seconds=1, batch_transaction=True
        )
    yield platform
    platform.close()


def put(
    platform: Platform, kind: str, n: int, *, fail: bool = False, ordering_key: str | None = None
) -> None:
    with platform.uow() as uow:
        jobs.enqueue(uow, kind, {"n": n, "fail": fail}, ordering_key=ordering_key)
        uow.commit()


def states(platform: Platform) -> dict[int, tuple[str, int, str | None]]:
    with platform.session_factory() as session:
        return {
            int(row.payload["n"]): (row.status, row.attempts, row.locked_by)
            for row in session.scalars(select(Job).order_by(Job.id))
        }


def days(platform: Platform) -> list[str]:
    with platform.session_factory() as session:
        return list(session.scalars(select(CalendarDay.name_vi).order_by(CalendarDay.day)))


def test_a_batch_commits_its_successes_and_isolates_a_failure(kp: Platform) -> None:
    put(kp, "t.batch", 0)
    put(kp, "t.batch", 1, ordering_key="K", fail=True)
    put(kp, "t.batch", 2, ordering_key="K")
    put(kp, "t.batch", 3)
    put(kp, "t.batch", 4, ordering_key="L")
    report = jobs.JobRunner(kp, kp.job_kinds, worker_id="w").run_once()
    assert (report.claimed, report.done, report.retried, report.handed_back, report.lost) == (5, 3, 1, 1, 0)
    assert days(kp) == ["việc 0", "việc 3", "việc 4"], "the failed job's savepoint was rolled back"
    found = states(kp)
    assert {n: found[n][:2] for n in (0, 3, 4)} == {0: ("done", 1), 3: ("done", 1), 4: ("done", 1)}
    assert found[1][:2] == ("queued", 1) and found[2][:2] == ("queued", 0)


def test_a_job_taken_over_during_the_batch_is_counted_lost(kp: Platform) -> None:
    put(kp, "t.batch.steal", 0)
    put(kp, "t.batch", 1)
    report = jobs.JobRunner(kp, kp.job_kinds, worker_id="w").run_once()
    assert (report.claimed, report.done, report.lost) == (2, 1, 1)
    found = states(kp)
    assert found[0] == ("done", 1, "w")
    assert found[1] == ("running", 1, "thief"), "another worker's claim is left alone"
