"""The worker loop: run the durable jobs (relay to MQTT included) and the manifests' schedules."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

from thanglong.core import migrate, mqtt, runtime
from thanglong.core.config import Settings
from thanglong.core.consumers import ConsumerDeclarationError
from thanglong.core.job_wakeup import JobWakeups
from thanglong.core.jobs import JobRunner, RunReport
from thanglong.core.platform import Platform, build_platform_or_exit
from thanglong.core.schedules import JobResult, Scheduler
from thanglong.worker.consumers import ConsumerService

logger = logging.getLogger(__name__)

JOB_BATCH = 100


@dataclass(frozen=True)
class TickReport:
    """What one pass of the worker did."""

    jobs: RunReport
    schedules: list[JobResult] = field(default_factory=list)


def run_once(
    platform: Platform, *, runner: JobRunner | None = None, scheduler: Scheduler | None = None
) -> TickReport:
    """Run one batch of due jobs and the due schedule slots (a new runner and scheduler if none given)."""
    runner = runner or JobRunner(platform, platform.job_kinds, batch=JOB_BATCH)
    report = runner.run_once()
    sched = scheduler or Scheduler(platform)
    return TickReport(jobs=report, schedules=sched.run_due())


class Worker:
    """The loop shared by `thanglong worker` and the job thread of `thanglong serve`."""

    def __init__(self, platform: Platform, *, poll_seconds: float = 1.0, max_backoff: float = 60.0) -> None:
        self.platform = platform
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff
        self.runner = JobRunner(platform, platform.job_kinds, batch=JOB_BATCH)
        self.scheduler = Scheduler(platform)
        self.consumers = ConsumerService(platform)
        self.stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._wake = threading.Event()
        # A commit that queued work wakes the loop at once instead of at the next poll: in this process
        # through the bus, from other processes through PostgreSQL's NOTIFY (core.job_wakeup).
        platform.bus.observe_commits(lambda _events: self._wake.set())
        self.wakeups = JobWakeups(platform.engine, self._wake.set)

    def _backoff(self) -> float:
        return float(min(self.max_backoff, self.poll_seconds * 2**self._failures))

    def run_forever(self) -> None:
        """Loop until stop() is called; a failing pass is logged and retried with backoff."""
        logger.info(
            "worker started: broker %s, %d schedule(s)",
            mqtt.redact_url(self.platform.settings.effective_mqtt_url),
            len(self.scheduler.schedules),
        )
        self.consumers.start()
        self.wakeups.start()
        try:
            while not self.stop_event.is_set():
                wait = self.poll_seconds
                self._wake.clear()
                try:
                    report = run_once(self.platform, runner=self.runner, scheduler=self.scheduler)
                except Exception:  # e.g. the database is restarting: keep the loop alive and retry
                    logger.exception("worker pass failed")
                    self._failures += 1
                    wait = self._backoff()
                else:
                    self._failures = 0
                    if report.jobs.claimed >= JOB_BATCH:
                        wait = 0.0
                    wait = min(wait, max(self.scheduler.seconds_until_next(), 0.05))
                if wait > 0:
                    self._wake.wait(wait)
        finally:
            self.wakeups.stop()
            self.consumers.stop()
            logger.info("worker stopped")

    def start_in_thread(self) -> None:
        """Run the loop in a daemon thread (the in-process job runner of `thanglong serve`)."""
        self._thread = threading.Thread(target=self.run_forever, name="thanglong-worker", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to stop after the current pass (safe from a signal handler)."""
        self.stop_event.set()
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to stop and wait for the current pass to finish."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)


def _schema_problem(platform: Platform) -> str | None:
    return migrate.schema_problem(platform.engine, domains=platform.settings.domains)


def run_worker(settings: Settings) -> None:
    """Run the worker in the foreground until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    mqtt.hide_broker_password_in_logs(settings)
    # Document jobs render PDFs, and fontTools logs every glyph of each font subset at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    platform = build_platform_or_exit(settings)
    problem = _schema_problem(platform)
    if problem:
        sys.stderr.write(f"lỗi / error: {problem}\n")
        platform.close()
        raise SystemExit(2)
    try:
        worker = Worker(platform)
    except ConsumerDeclarationError as exc:  # a consumer that cannot run stops start-up, named
        sys.stderr.write(f"lỗi / error: {exc}\n")
        platform.close()
        raise SystemExit(2) from None

    def _stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("worker received %s, stopping after the current pass", signal.Signals(signum).name)
        worker.request_stop()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    runtime.tune_gc()
    started = time.monotonic()
    try:
        worker.run_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        platform.close()
        logger.info("worker ran for %.0f s", time.monotonic() - started)
