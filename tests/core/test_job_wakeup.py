"""Jobs queued in one process wake the workers of the others (PostgreSQL NOTIFY; SQLite keeps the poll)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from tests.core.jobs_support import kernel_db, kernel_platform
from thanglong.core import jobs
from thanglong.core.job_wakeup import JobWakeups, supported

__all__ = ["kernel_db"]

QUIET_S = 1.5


def test_a_committed_job_wakes_a_listener_elsewhere_and_nothing_else_does(
    tmp_path: Path, kernel_db: str
) -> None:
    # Two platforms, two engines: the listener does not share a connection or a bus with the writer.
    listener = kernel_platform(tmp_path / "listener", kernel_db)
    writer = kernel_platform(tmp_path / "writer", kernel_db)
    woke = threading.Event()
    wakeups = JobWakeups(listener.engine, woke.set)
    try:
        started = wakeups.start()
        if not supported(listener.engine):
            # SQLite: nothing to listen to (the worker's one-second poll stays); queuing still works.
            assert started is False
            with writer.uow() as uow:
                jobs.enqueue(uow, "t.ok", {"n": 1})
                uow.commit()
            assert not woke.is_set()
            return
        assert started is True
        assert wakeups.listening.wait(10)

        with writer.uow() as uow:  # a transaction that queued a job but rolled back: no wake-up
            jobs.enqueue(uow, "t.ok", {"n": 1})
            uow.rollback()
        with writer.uow() as uow:  # a commit that queued nothing: no wake-up
            uow.commit()
        assert not woke.wait(QUIET_S)

        with writer.uow() as uow:
            jobs.enqueue(uow, "t.ok", {"n": 2})
            jobs.enqueue(uow, "t.ok", {"n": 3}, idempotency_key="wake-test")
            uow.commit()
        assert woke.wait(5)
    finally:
        wakeups.stop()
        listener.close()
        writer.close()


def test_a_listener_that_loses_its_connection_listens_again(tmp_path: Path, kernel_db: str) -> None:
    listener = kernel_platform(tmp_path / "listener", kernel_db)
    writer = kernel_platform(tmp_path / "writer", kernel_db)
    woke = threading.Event()
    wakeups = JobWakeups(listener.engine, woke.set)
    try:
        if not wakeups.start():
            assert not supported(listener.engine)
            return
        assert wakeups.listening.wait(10)
        # The server ends the listening session (as a restart or an idle-session killer would).
        with writer.engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query = :listen AND pid <> pg_backend_pid() AND datname = current_database()"
                ),
                {"listen": "LISTEN thanglong_jobs"},
            )
        assert _relistens(wakeups)
        woke.clear()
        with writer.uow() as uow:
            jobs.enqueue(uow, "t.ok", {"n": 4})
            uow.commit()
        assert woke.wait(5)
    finally:
        wakeups.stop()
        listener.close()
        writer.close()


def _relistens(wakeups: JobWakeups) -> bool:
    """Wait until the listener noticed the lost connection and listens on a new one."""
    for _ in range(100):
        if not wakeups.listening.is_set():
            break
        threading.Event().wait(0.1)
    return wakeups.listening.wait(15)
