"""Unit of work, bus and outbox: events after commit, outbox in the same transaction, relay to MQTT."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import paho.mqtt.client as paho
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from thanglong.core import migrate, mqtt
from thanglong.core.bus import Event
from thanglong.core.db import make_engine
from thanglong.core.manifest import DomainManifest, Schedule
from thanglong.core.models import CalendarDay, OutboxMessage, ScheduleRun, ScheduleState
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, free_port, make_settings
from thanglong.worker.main import Worker, run_once
from thanglong.worker.outbox import topic_for

pytestmark = pytest.mark.mqtt


@dataclass(frozen=True)
class DayMarked(Event):
    """A calendar day was marked (in-process only)."""

    day: str


@dataclass(frozen=True)
class DayAnnounced(Event):
    """A calendar day was announced to other processes."""

    external: ClassVar[bool] = True
    day: str
    note: str = "Tết Nguyên Đán"


JOB_CALLS: list[str] = []


def counting_job(platform: Platform) -> None:
    """Record that the scheduled job ran."""
    JOB_CALLS.append(platform.settings.env)


def failing_job(platform: Platform) -> None:
    """Fail, as a job with a bug would."""
    raise RuntimeError("job exploded")


@pytest.fixture(scope="module")
def kernel_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that really commits (not the rolled-back per-test one)."""
    url = create_database(tmp_path_factory.mktemp("uow"), "uow")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield url
    finally:
        engine.dispose()
        drop_database(url)


def _platform(tmp_path: Path, url: str, mqtt_url: str | None = None) -> Platform:
    # No domains: these are kernel tests and must not depend on any domain's code.
    platform = build_platform(make_settings(tmp_path, url, domains=[], mqtt_url=mqtt_url))
    with platform.engine.begin() as conn:
        conn.execute(delete(OutboxMessage))
        conn.execute(delete(CalendarDay))
        # Schedules start afresh in every test: the first look at a new schedule runs its latest slot.
        conn.execute(delete(ScheduleRun))
        conn.execute(delete(ScheduleState))
    return platform


@pytest.fixture
def kp(tmp_path: Path, kernel_db: str, mqtt_url: str) -> Iterator[Platform]:
    """A kernel-only platform on the committing database, talking to the test broker."""
    platform = _platform(tmp_path, kernel_db, mqtt_url)
    yield platform
    platform.close()


def _add_day(platform: Platform, session: Session, day: date) -> None:
    session.add(
        CalendarDay(day=day, is_working=False, name_vi="Nghỉ", name_en="Day off", updated_at=platform.clock())
    )


def _day_exists(platform: Platform, day: date) -> bool:
    """Look from a separate session: only committed data is visible there."""
    with platform.session_factory() as session:
        return session.get(CalendarDay, day) is not None


def test_commit_publishes_events_after_the_commit(kp: Platform) -> None:
    seen: list[tuple[str, bool]] = []
    kp.bus.subscribe(DayMarked, lambda e: seen.append((e.day, _day_exists(kp, date.fromisoformat(e.day)))))
    with kp.uow() as uow:
        _add_day(kp, uow.session, date(2026, 2, 16))
        uow.emit(DayMarked("2026-02-16"))
        uow.session.flush()
        assert seen == []
        uow.commit()
    assert seen == [("2026-02-16", True)]


def test_rollback_drops_the_events(kp: Platform) -> None:
    seen: list[Event] = []
    kp.bus.subscribe(DayMarked, seen.append)
    with kp.uow() as uow:
        _add_day(kp, uow.session, date(2026, 2, 17))
        uow.emit(DayMarked("2026-02-17"))
        uow.rollback()
        uow.commit()
    with pytest.raises(RuntimeError, match="boom"), kp.uow() as uow:
        _add_day(kp, uow.session, date(2026, 2, 18))
        uow.emit(DayMarked("2026-02-18"))
        raise RuntimeError("boom")
    assert seen == []
    assert not _day_exists(kp, date(2026, 2, 17))
    assert not _day_exists(kp, date(2026, 2, 18))


def test_a_failing_handler_does_not_undo_the_commit(kp: Platform) -> None:
    after: list[str] = []

    def broken(_event: DayMarked) -> None:
        raise ValueError("handler bug")

    kp.bus.subscribe(DayMarked, broken)
    kp.bus.subscribe(DayMarked, lambda e: after.append(e.day))
    with kp.uow() as uow:
        _add_day(kp, uow.session, date(2026, 4, 30))
        uow.emit(DayMarked("2026-04-30"))
        uow.commit()
    assert _day_exists(kp, date(2026, 4, 30))
    assert after == ["2026-04-30"]
    assert [(type(exc), str(exc)) for _e, exc in kp.bus.failures] == [(ValueError, "handler bug")]


def _outbox(platform: Platform) -> list[OutboxMessage]:
    with platform.session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def test_external_events_land_in_the_outbox_in_the_same_transaction(kp: Platform) -> None:
    with kp.uow() as uow:
        _add_day(kp, uow.session, date(2026, 9, 2))
        uow.emit(DayAnnounced("2026-09-02"))
        uow.emit(DayMarked("2026-09-02"))
        pending = uow.session.scalars(select(OutboxMessage)).all()
        assert [m.event_name for m in pending] == [DayAnnounced.event_name()]
        uow.commit()
    rows = _outbox(kp)
    assert [(r.event_name, r.payload, r.dispatched_at) for r in rows] == [
        (DayAnnounced.event_name(), {"day": "2026-09-02", "note": "Tết Nguyên Đán"}, None)
    ]


def test_external_events_vanish_on_rollback(kp: Platform) -> None:
    with kp.uow() as uow:
        _add_day(kp, uow.session, date(2026, 9, 3))
        uow.emit(DayAnnounced("2026-09-03"))
        uow.rollback()
    with kp.uow() as uow:
        uow.emit(DayAnnounced("2026-09-04"))
    assert _outbox(kp) == []
    assert not _day_exists(kp, date(2026, 9, 3))


class Subscriber:
    """Collect the messages of one topic filter on a broker."""

    def __init__(self, url: str, topic: str) -> None:
        self.messages: queue.Queue[paho.MQTTMessage] = queue.Queue()
        acked: queue.Queue[int] = queue.Queue()
        self.client = mqtt.connect_client(url)
        self.client.on_message = lambda _c, _u, msg: self.messages.put(msg)
        self.client.on_subscribe = lambda _c, _u, mid, *_rest: acked.put(mid)
        _result, mid = self.client.subscribe(topic, qos=1)
        assert acked.get(timeout=10) == mid

    def wait_for(
        self, predicate: Callable[[paho.MQTTMessage], bool], timeout: float = 10.0
    ) -> paho.MQTTMessage:
        """Return the first message the predicate accepts (other test processes share the broker)."""
        deadline = datetime.now(UTC).timestamp() + timeout
        while True:
            remaining = deadline - datetime.now(UTC).timestamp()
            message = self.messages.get(timeout=max(remaining, 0.01))
            if predicate(message):
                return message

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()


def test_outbox_relay_end_to_end(kp: Platform, mqtt_url: str) -> None:
    marker = uuid.uuid4().hex
    subscriber = Subscriber(mqtt_url, "thanglong/events/#")
    try:
        with kp.uow() as uow:
            uow.emit(DayAnnounced(marker))
            uow.commit()
        report = run_once(kp)
        assert report.relay.dispatched == 1
        assert report.relay.error is None
        message = subscriber.wait_for(lambda m: json.loads(m.payload)["payload"]["day"] == marker)
    finally:
        subscriber.close()
    assert message.topic == topic_for(DayAnnounced.event_name())
    assert message.topic == f"thanglong/events/{DayAnnounced.event_name()}"
    body = json.loads(message.payload)
    [row] = _outbox(kp)
    assert body == {
        "id": str(row.id),
        "event": DayAnnounced.event_name(),
        "created_at": row.created_at.isoformat(),
        "payload": {"day": marker, "note": "Tết Nguyên Đán"},
    }
    assert row.dispatched_at is not None
    assert (row.attempts, row.last_error) == (1, None)
    assert run_once(kp).relay.dispatched == 0


def test_relay_keeps_messages_while_the_broker_is_down(tmp_path: Path, kernel_db: str, mqtt_url: str) -> None:
    closed = f"mqtt://127.0.0.1:{free_port()}"
    down = _platform(tmp_path, kernel_db, closed)
    try:
        with down.uow() as uow:
            uow.emit(DayAnnounced("2026-01-01"))
            uow.commit()
        report = run_once(down)
        assert report.relay.dispatched == 0
        assert report.relay.failed == 1
        assert closed in (report.relay.error or "")
        [row] = _outbox(down)
        assert row.dispatched_at is None
        assert row.attempts == 1
        assert closed in (row.last_error or "")
    finally:
        down.close()
    up = build_platform(make_settings(tmp_path, kernel_db, domains=[], mqtt_url=mqtt_url))
    try:
        assert run_once(up).relay.dispatched == 1
        [row] = _outbox(up)
        assert row.dispatched_at is not None
        assert (row.attempts, row.last_error) == (2, None)
    finally:
        up.close()


def _with_jobs(platform: Platform) -> None:
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


def test_a_failing_job_is_reported_and_the_others_still_run(kp: Platform) -> None:
    _with_jobs(kp)
    JOB_CALLS.clear()
    report = run_once(kp)
    results = {r.name: r for r in report.jobs}
    assert results["testjobs.fail"].ok is False
    assert "job exploded" in (results["testjobs.fail"].error or "")
    assert results["testjobs.missing"].ok is False
    assert "ModuleNotFoundError" in (results["testjobs.missing"].error or "")
    assert results["testjobs.count"].ok is True
    assert JOB_CALLS == ["test"]


def test_worker_loop_survives_failures_and_stops_cleanly(tmp_path: Path, kernel_db: str) -> None:
    platform = _platform(tmp_path, kernel_db, f"mqtt://127.0.0.1:{free_port()}")
    _with_jobs(platform)
    JOB_CALLS.clear()
    worker = Worker(platform, poll_seconds=0.05)
    try:
        worker.start_in_thread()
        deadline = datetime.now(UTC).timestamp() + 10
        while not JOB_CALLS and datetime.now(UTC).timestamp() < deadline:
            threading.Event().wait(0.05)
        assert JOB_CALLS == ["test"]
    finally:
        worker.stop(timeout=10)
        platform.close()
    assert worker._thread is not None
    assert not worker._thread.is_alive()
