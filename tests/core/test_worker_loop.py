"""The worker loop: due jobs and schedule slots each pass, failures reported, a clean stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete

from tests.core.jobs_support import kernel_db, kernel_platform
from thanglong.core.manifest import DomainManifest, Schedule
from thanglong.core.models import ScheduleRun, ScheduleState
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import free_port
from thanglong.worker.main import Worker, run_once

__all__ = ["kernel_db"]

JOB_CALLS: list[str] = []


def counting_job(platform: Platform) -> None:
    """Record that the scheduled job ran."""
    JOB_CALLS.append(platform.settings.env)


def failing_job(platform: Platform) -> None:
    """Fail, as a job with a bug would."""
    raise RuntimeError("job exploded")


def _with_schedules(platform: Platform) -> None:
    platform.manifests.append(
        DomainManifest(
            name="testjobs",
            title_vi="Việc thử",
            title_en="Test jobs",
            schedules=(
                Schedule(name="testjobs.fail", job=f"{__name__}:failing_job", every_seconds=60),
                Schedule(name="testjobs.count", job=f"{__name__}:counting_job", every_seconds=60),
                Schedule(name="testjobs.missing", job="thanglong.no_such_module:job", every_seconds=60),
            ),
        )
    )
    with platform.engine.begin() as conn:
        # Schedules start afresh in every test: the first look at a new schedule runs its latest slot.
        conn.execute(delete(ScheduleRun))
        conn.execute(delete(ScheduleState))
    JOB_CALLS.clear()


@pytest.fixture
def kp(tmp_path: Path, kernel_db: str) -> Iterator[Platform]:
    """A kernel-only platform whose broker is away (the loop must not care)."""
    platform = kernel_platform(tmp_path, kernel_db, f"mqtt://127.0.0.1:{free_port()}")
    _with_schedules(platform)
    yield platform
    platform.close()


def test_a_failing_schedule_is_reported_and_the_others_still_run(kp: Platform) -> None:
    report = run_once(kp)
    results = {r.name: r for r in report.schedules}
    assert results["testjobs.fail"].ok is False
    assert "job exploded" in (results["testjobs.fail"].error or "")
    assert results["testjobs.missing"].ok is False
    assert "ModuleNotFoundError" in (results["testjobs.missing"].error or "")
    assert results["testjobs.count"].ok is True
    assert JOB_CALLS == ["test"]


def test_worker_loop_survives_failures_and_stops_cleanly(kp: Platform) -> None:
    worker = Worker(kp, poll_seconds=0.05)
    worker.start_in_thread()
    try:
        deadline = datetime.now(UTC).timestamp() + 10
        while not JOB_CALLS and datetime.now(UTC).timestamp() < deadline:
            threading.Event().wait(0.05)
        assert JOB_CALLS == ["test"]
    finally:
        worker.stop(timeout=10)
    assert worker._thread is not None
    assert not worker._thread.is_alive()
