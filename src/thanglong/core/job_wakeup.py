"""Wake worker loops in other processes when a job is queued: PostgreSQL LISTEN/NOTIFY.

A commit that queued a job wakes its own process's worker loop at once (`MessageBus.observe_commits`);
a worker in another process learned of it only at its next poll, up to a second later. That second is
most of the time from an agency head's approval to the announcement on the wire when the web process
approves and a worker publishes (docs/jobs.md, "Waking the workers"). On PostgreSQL a transaction that
queued a job also sends `NOTIFY thanglong_jobs` (delivered at its commit, never for a rollback), and
each worker holds one connection listening on that channel. The notification carries nothing: it is a
hint to claim now, so a lost one (the listening connection was being re-opened) costs only the poll's
delay. On SQLite there is one process writing at a time and nothing to listen to: the poll stays.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

CHANNEL = "thanglong_jobs"
# How long the listener waits for a notification before it looks whether it should stop.
LISTEN_TIMEOUT_S = 1.0
RECONNECT_MAX_S = 30.0


def supported(engine: Engine) -> bool:
    """Return whether jobs queued through this engine can wake other processes (PostgreSQL)."""
    return engine.dialect.name == "postgresql"


def notify_queued(session: Session) -> None:
    """Send the jobs notification in the session's transaction (PostgreSQL; delivered at commit)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class JobWakeups:
    """A thread that calls `wake()` whenever another process commits a queued job (PostgreSQL only)."""

    def __init__(self, engine: Engine, wake: Callable[[], None]) -> None:
        self.engine = engine
        self.wake = wake
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Any = None

    def start(self) -> bool:
        """Start listening in a daemon thread; return False (and do nothing) off PostgreSQL."""
        if not supported(self.engine):
            return False
        self._thread = threading.Thread(target=self._run, name="job-wakeups", daemon=True)
        self._thread.start()
        return True

    def _open(self) -> Any:
        """Take one connection out of the pool for good and LISTEN on it (autocommit)."""
        pooled = self.engine.raw_connection()
        pooled.detach()  # the pool must not hand this connection to anyone else
        connection = pooled.dbapi_connection
        if connection is None:  # pragma: no cover - the pool always gives a live connection
            raise RuntimeError("no database connection for LISTEN")
        connection.rollback()
        connection.autocommit = True
        connection.execute(f"LISTEN {CHANNEL}")
        return connection

    def _run(self) -> None:
        pause = 1.0
        while not self._stop.is_set():
            try:
                self._connection = self._open()
                self.listening.set()
                pause = 1.0
                while not self._stop.is_set():
                    for _notice in self._connection.notifies(timeout=LISTEN_TIMEOUT_S):
                        self.wake()
            except Exception as exc:  # the database restarted: the poll covers the gap, then listen again
                self.listening.clear()
                if not self._stop.is_set():
                    logger.warning("job wake-ups: listening failed (%s); retrying in %.0f s", exc, pause)
                self._close()
                if self._stop.wait(pause):
                    break
                pause = min(pause * 2, RECONNECT_MAX_S)
        self._close()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a connection that already failed
                connection.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
