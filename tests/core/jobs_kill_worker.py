"""A worker process for the SIGKILL test: the real worker loop with one slow test job kind.

Run: python -m tests.core.jobs_kill_worker DATABASE_URL DATA_DIR WORKER_NAME (from the repository root).
The handler writes its side effect (a calendar-override row naming the attempt and the worker) in the
job's transaction, touches `started-<attempt>` in the payload's directory, and then sleeps: long on the
first attempt (the test kills the process there), briefly on later ones.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import date
from pathlib import Path

from thanglong.core.jobs import JobContext
from thanglong.core.manifest import JobKind
from thanglong.core.models import CalendarDay
from thanglong.core.platform import build_platform
from thanglong.core.testing.plugin import make_settings
from thanglong.worker.main import Worker

KIND = "t.kill.slow"
LEASE_SECONDS = 2
FIRST_ATTEMPT_SLEEP = 120.0
WORKER_ENV = "TL_KILL_TEST_WORKER"


def run_slowly(ctx: JobContext) -> None:
    """Write the side effect, say "started", then take long on the first attempt."""
    payload = ctx.job.payload
    session = ctx.uow.session
    session.add(
        CalendarDay(
            day=date.fromisoformat(payload["day"]),
            is_working=True,
            name_vi=f"lần {ctx.job.attempts}",
            name_en=os.environ[WORKER_ENV],
            updated_at=ctx.uow.clock(),
        )
    )
    session.flush()
    Path(payload["marker_dir"], f"started-{ctx.job.attempts}").touch()
    time.sleep(FIRST_ATTEMPT_SLEEP if ctx.job.attempts == 1 else 0.1)


def main(argv: list[str]) -> None:
    """Build a kernel-only platform on the database and run the worker loop until SIGTERM."""
    url, data_dir, name = argv
    # The handler runs from this file imported under its module name, not as __main__: the
    # environment is what both see.
    os.environ[WORKER_ENV] = name
    platform = build_platform(make_settings(Path(data_dir), url, domains=[]))
    platform.job_kinds[KIND] = JobKind(
        KIND,
        "tests.core.jobs_kill_worker:run_slowly",
        max_attempts=3,
        backoff_base_seconds=0.5,
        lease_seconds=LEASE_SECONDS,
    )
    worker = Worker(platform, poll_seconds=0.1)
    worker.runner.worker_id = name
    signal.signal(signal.SIGTERM, lambda _signum, _frame: worker.request_stop())
    try:
        worker.run_forever()
    finally:
        platform.close()


if __name__ == "__main__":
    main(sys.argv[1:])
