"""A worker process killed with SIGKILL mid-job: the job runs once more after its lease and completes.

Issue 7, acceptance 1. The worker is a real process running the real worker loop
(tests/core/jobs_kill_worker.py); its handler writes a side effect in the job's transaction, says
"started" and sleeps, and the test kills it there. The job must stay leased to the dead worker until
the lease expires, then a second worker process runs it again, once, to completion; the side effect is
in the database exactly once, written by the completing run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from tests.core.jobs_kill_worker import KIND
from thanglong.core import jobs, migrate
from thanglong.core.db import make_engine
from thanglong.core.models import CalendarDay, Job
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("THANGLONG_TEST_DATABASE_URL")
WAIT_SECONDS = 60.0
DAY = date(2026, 9, 2)


@dataclass
class WorkerProcess:
    """One `python -m tests.core.jobs_kill_worker` process and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self) -> str:
        """Return the end of the worker's output, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


def start_worker(url: str, tmp_path: Path, name: str) -> WorkerProcess:
    data_dir = tmp_path / name
    data_dir.mkdir()
    log = data_dir / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.core.jobs_kill_worker", url, str(data_dir), name],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return WorkerProcess(name, process, log)


def wait_for(what: str, condition: Callable[[], bool], worker: WorkerProcess) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if worker.process.poll() is not None:
            pytest.fail(
                f"{worker.name} exited ({worker.process.returncode}) before {what}:\n{worker.log_tail()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {WAIT_SECONDS:.0f} s:\n{worker.log_tail()}")
        time.sleep(0.05)


def stop(worker: WorkerProcess) -> None:
    if worker.process.poll() is None:
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(10)


def the_job(platform: Platform) -> Job:
    with platform.session_factory() as session:
        row = session.scalars(select(Job).where(Job.kind == KIND)).one()
        session.expunge(row)
        return row


def side_effects(platform: Platform) -> list[tuple[str, str]]:
    with platform.session_factory() as session:
        rows = session.execute(select(CalendarDay.name_vi, CalendarDay.name_en).where(CalendarDay.day == DAY))
        return [(vi, en) for vi, en in rows]


def killed_worker_scenario(url: str, tmp_path: Path) -> None:
    platform = build_platform(make_settings(tmp_path, url, domains=[]))
    workers: list[WorkerProcess] = []
    try:
        with platform.engine.begin() as conn:
            conn.execute(delete(Job))
            conn.execute(delete(CalendarDay))
        markers = tmp_path / "markers"
        markers.mkdir()
        with platform.uow() as uow:
            jobs.enqueue(uow, KIND, {"day": DAY.isoformat(), "marker_dir": str(markers)})
            uow.commit()

        first = start_worker(url, tmp_path, "worker-a")
        workers.append(first)
        wait_for("the first attempt to start", (markers / "started-1").exists, first)
        first.process.send_signal(signal.SIGKILL)
        assert first.process.wait(10) == -signal.SIGKILL

        leased = the_job(platform)
        assert (leased.status, leased.attempts, leased.locked_by) == (jobs.RUNNING, 1, "worker-a")
        assert leased.lease_until is not None and leased.finished_at is None
        assert side_effects(platform) == [], "the killed run's uncommitted side effect was rolled back"

        second = start_worker(url, tmp_path, "worker-b")
        workers.append(second)
        wait_for("the job to be done", lambda: the_job(platform).status == jobs.DONE, second)
        stop(second)
        assert second.process.returncode == 0, second.log_tail()

        done = the_job(platform)
        assert (done.status, done.attempts, done.locked_by) == (jobs.DONE, 2, "worker-b")
        assert done.finished_at is not None and done.finished_at >= leased.lease_until, (
            "the second worker took the job before the dead worker's lease expired"
        )
        assert done.last_error is None
        assert side_effects(platform) == [("lần 2", "worker-b")]
        assert sorted(p.name for p in markers.iterdir()) == ["started-1", "started-2"], "ran exactly twice"
    finally:
        for worker in workers:
            stop(worker)
        platform.close()


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    """A migrated PostgreSQL database of its own (committing, shared by processes)."""
    url = create_database(tmp_path, "kill")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    yield url
    drop_database(url)


@pytest.mark.postgres
@pytest.mark.skipif(
    not PG_URL,
    reason="needs THANGLONG_TEST_DATABASE_URL: this SIGKILL test runs on PostgreSQL only when it is set "
    "(the SQLite variant below always runs)",
)
def test_a_worker_killed_mid_job_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    assert postgres_url.startswith("postgresql")
    killed_worker_scenario(postgres_url, tmp_path)


def test_a_worker_killed_mid_job_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    killed_worker_scenario(url, tmp_path)
