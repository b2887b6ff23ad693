"""The worker loop: relay the outbox to MQTT and run the manifests' schedules until told to stop."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

from thanglong.core import migrate, mqtt
from thanglong.core.config import Settings
from thanglong.core.consumers import ConsumerDeclarationError
from thanglong.core.platform import Platform, build_platform
from thanglong.worker.consumers import ConsumerService
from thanglong.worker.outbox import RelayReport, relay_outbox
from thanglong.worker.publisher import MqttPublisher
from thanglong.worker.schedules import JobResult, Scheduler, all_schedules

logger = logging.getLogger(__name__)

RELAY_BATCH = 100


@dataclass(frozen=True)
class TickReport:
    """What one pass of the worker did."""

    relay: RelayReport
    jobs: list[JobResult] = field(default_factory=list)


def run_once(
    platform: Platform, *, publisher: MqttPublisher | None = None, scheduler: Scheduler | None = None
) -> TickReport:
    """Relay one batch of the outbox and run the due schedules (all of them without a scheduler)."""
    own_publisher = publisher is None
    pub = publisher or MqttPublisher(mqtt.client_url(platform.settings))
    try:
        relay = relay_outbox(platform, pub, batch=RELAY_BATCH)
    finally:
        if own_publisher:
            pub.close()
    sched = scheduler or Scheduler(all_schedules(platform))
    return TickReport(relay=relay, jobs=sched.run_due(platform))


class Worker:
    """The loop shared by `thanglong worker` and the job thread of `thanglong serve`."""

    def __init__(self, platform: Platform, *, poll_seconds: float = 1.0, max_backoff: float = 60.0) -> None:
        self.platform = platform
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff
        self.publisher = MqttPublisher(mqtt.client_url(platform.settings))
        self.scheduler = Scheduler(all_schedules(platform))
        self.consumers = ConsumerService(platform)
        self.stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0

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
        try:
            while not self.stop_event.is_set():
                wait = self.poll_seconds
                try:
                    report = run_once(self.platform, publisher=self.publisher, scheduler=self.scheduler)
                except Exception:  # e.g. the database is restarting: keep the loop alive and retry
                    logger.exception("worker pass failed")
                    self._failures += 1
                    wait = self._backoff()
                else:
                    if report.relay.error:
                        self._failures += 1
                        wait = self._backoff()
                    else:
                        self._failures = 0
                        if report.relay.dispatched >= RELAY_BATCH:
                            wait = 0.0
                    wait = min(wait, max(self.scheduler.seconds_until_next(), 0.05))
                self.stop_event.wait(wait)
        finally:
            self.consumers.stop()
            self.publisher.close()
            logger.info("worker stopped")

    def start_in_thread(self) -> None:
        """Run the loop in a daemon thread (the in-process job runner of `thanglong serve`)."""
        self._thread = threading.Thread(target=self.run_forever, name="thanglong-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to stop and wait for the current pass to finish."""
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout)


def _schema_problem(platform: Platform) -> str | None:
    heads = migrate.heads(platform.engine)
    current = migrate.current(platform.engine)
    if current in heads:
        return None
    return f"database schema is at {current}, not at head {heads}: run `thanglong db upgrade` first"


def run_worker(settings: Settings) -> None:
    """Run the worker in the foreground until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    mqtt.hide_broker_password_in_logs(settings)
    platform = build_platform(settings)
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
        worker.stop_event.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    started = time.monotonic()
    try:
        worker.run_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        platform.close()
        logger.info("worker ran for %.0f s", time.monotonic() - started)
