"""Events: in-transaction handlers, after-commit handlers as durable jobs, the relay to the broker."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from sqlalchemy import select

from tests.core.jobs_support import CALLS, DayAnnounced, DayMarked, kernel_db, kernel_platform
from thanglong.core import mqtt
from thanglong.core.jobs import JobRunner
from thanglong.core.models import CalendarDay, Job
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import free_port, make_settings, run_jobs
from thanglong.core.uow import EVENT_LOOP_THREAD, RELAY_KIND, BlockingOnEventLoop, UnitOfWork, event_topic

__all__ = ["kernel_db"]


@pytest.fixture
def kp(tmp_path: Path, kernel_db: str, mqtt_url: str) -> Iterator[Platform]:
    """A kernel-only platform on the committing database, talking to the test broker."""
    platform = kernel_platform(tmp_path, kernel_db, mqtt_url)
    yield platform
    platform.close()


def _add_day(platform: Platform, uow: UnitOfWork, day: date) -> None:
    uow.session.add(
        CalendarDay(day=day, is_working=False, name_vi="Nghỉ", name_en="Day off", updated_at=platform.clock())
    )


def _day_exists(platform: Platform, day: date) -> bool:
    """Look from a separate session: only committed data is visible there."""
    with platform.session_factory() as session:
        return session.get(CalendarDay, day) is not None


def _jobs(platform: Platform, kind: str | None = None) -> list[Job]:
    with platform.session_factory() as session:
        stmt = select(Job).order_by(Job.id)
        if kind:
            stmt = stmt.where(Job.kind == kind)
        return list(session.scalars(stmt))


def test_in_transaction_handlers_commit_and_roll_back_with_the_writer(kp: Platform) -> None:
    seen: list[tuple[str, bool]] = []

    def handler(uow: UnitOfWork, event: DayMarked) -> None:
        seen.append((event.day, _day_exists(kp, date.fromisoformat(event.day))))
        _add_day(kp, uow, date.fromisoformat(event.day).replace(day=28))

    kp.bus.subscribe(DayMarked, handler)
    with kp.uow() as uow:
        _add_day(kp, uow, date(2026, 2, 16))
        uow.emit(DayMarked("2026-02-16"))
        assert seen == [], "in-transaction handlers run at commit, after the use case's own writes"
        uow.commit()
    assert seen == [("2026-02-16", False)], "the handler ran before the commit"
    assert _day_exists(kp, date(2026, 2, 28)), "the handler's write committed with the writer's"

    def broken(uow: UnitOfWork, event: DayMarked) -> None:
        raise ValueError("handler bug")

    kp.bus.subscribe(DayMarked, broken)
    with pytest.raises(ValueError, match="handler bug"), kp.uow() as uow:
        _add_day(kp, uow, date(2026, 3, 16))
        uow.emit(DayMarked("2026-03-16"))
        uow.commit()
    assert not _day_exists(kp, date(2026, 3, 16)), "a failing in-transaction handler rolls the writer back"
    assert not _day_exists(kp, date(2026, 3, 28))


def test_after_commit_handlers_are_jobs_in_the_writers_transaction(kp: Platform) -> None:
    with kp.uow() as uow:
        _add_day(kp, uow, date(2026, 4, 30))
        event_id = uow.emit(DayMarked("2026-04-30"))
        uow.commit()
    [job] = _jobs(kp)
    assert job.kind == "event:tests.core.jobs_support:on_marked"
    assert job.payload["event_id"] == str(event_id)
    assert job.idempotency_key == f"{event_id}:tests.core.jobs_support:on_marked"
    assert CALLS == [], "nothing runs in the writer's process before a worker picks the job"
    assert run_jobs(kp) == 1
    assert CALLS == [("marked", "2026-04-30")]
    with kp.uow() as uow:
        _add_day(kp, uow, date(2026, 5, 1))
        uow.emit(DayMarked("2026-05-01"))
        uow.rollback()
    assert len(_jobs(kp)) == 1, "a rolled-back writer leaves no job"


def test_after_commit_handler_failure_is_retried_without_touching_the_writer(kp: Platform) -> None:
    def boom(uow: UnitOfWork, event: DayMarked) -> None:
        raise RuntimeError("down")

    with kp.uow() as uow:
        _add_day(kp, uow, date(2026, 6, 1))
        uow.emit(DayMarked("2026-06-01"))
        uow.commit()
    kind = "event:tests.core.jobs_support:on_marked"
    runner = JobRunner(kp, kp.job_kinds, handlers={kind: lambda ctx: boom(ctx.uow, DayMarked("x"))})
    assert runner.run_once().retried == 1
    assert _day_exists(kp, date(2026, 6, 1))
    [job] = _jobs(kp)
    assert (job.status, job.attempts, job.last_error) == ("queued", 1, "RuntimeError: down")


def test_external_events_become_relay_jobs_in_the_same_transaction(kp: Platform) -> None:
    with kp.uow() as uow:
        _add_day(kp, uow, date(2026, 9, 2))
        event_id = uow.emit(DayAnnounced("2026-09-02"))
        uow.emit(DayAnnounced("2026-09-03"))
        uow.commit()
    relay = _jobs(kp, RELAY_KIND)
    assert [j.payload["envelope"]["payload"]["day"] for j in relay] == ["2026-09-02", "2026-09-03"]
    assert relay[0].payload["envelope"]["id"] == str(event_id)
    assert relay[0].payload["topic"] == f"thanglong/events/{DayAnnounced.event_name()}"
    assert {j.ordering_key for j in relay} == {"core.relay"}
    with kp.uow() as uow:
        uow.emit(DayAnnounced("2026-09-04"))
        uow.rollback()
    assert len(_jobs(kp, RELAY_KIND)) == 2


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
        mqtt.shutdown(self.client)


@pytest.mark.mqtt
def test_relay_publishes_in_order_with_the_event_id(kp: Platform, mqtt_url: str) -> None:
    marker = uuid.uuid4().hex
    subscriber = Subscriber(mqtt_url, "thanglong/events/#")
    try:
        ids = []
        with kp.uow() as uow:
            for n in range(5):
                ids.append(uow.emit(DayAnnounced(f"{marker}-{n}")))
            uow.commit()
        report = JobRunner(kp, kp.job_kinds).run_once()
        assert (report.claimed, report.done) == (5, 5)
        got = [
            json.loads(
                subscriber.wait_for(lambda m: marker in json.loads(m.payload)["payload"]["day"]).payload
            )
            for _ in range(5)
        ]
    finally:
        subscriber.close()
    assert [g["id"] for g in got] == [str(i) for i in ids]
    assert [g["payload"]["day"] for g in got] == [f"{marker}-{n}" for n in range(5)]
    assert got[0]["event"] == DayAnnounced.event_name()
    assert {j.status for j in _jobs(kp, RELAY_KIND)} == {"done"}
    assert event_topic("x.Y") == "thanglong/events/x.Y"


@pytest.mark.mqtt
def test_relay_keeps_events_while_the_broker_is_down(tmp_path: Path, kernel_db: str, mqtt_url: str) -> None:
    closed = f"mqtt://127.0.0.1:{free_port()}"
    down = kernel_platform(tmp_path, kernel_db, closed)
    try:
        with down.uow() as uow:
            uow.emit(DayAnnounced("2026-01-01"))
            uow.emit(DayAnnounced("2026-01-02"))
            uow.commit()
        report = JobRunner(down, down.job_kinds).run_once()
        assert (report.done, report.retried, report.handed_back) == (0, 1, 1)
        first, second = _jobs(down, RELAY_KIND)
        assert (first.status, first.attempts) == ("queued", 1)
        assert "cannot connect" in (first.last_error or "")
        assert (second.status, second.attempts) == ("queued", 0)
    finally:
        down.close()
    up = build_platform(make_settings(tmp_path, kernel_db, domains=[], mqtt_url=mqtt_url))
    try:
        time.sleep(1.1)  # the relay's first retry waits at most its one-second base
        report = JobRunner(up, up.job_kinds).run_once()
        assert report.done == 2
        first, second = _jobs(up, RELAY_KIND)
        assert (first.status, first.attempts, second.status, second.attempts) == ("done", 2, "done", 1)
    finally:
        up.close()


def test_a_unit_of_work_refuses_to_block_the_event_loop(kp: Platform) -> None:
    async def route() -> None:
        # What the web shell does for each request it handles.
        EVENT_LOOP_THREAD.set(threading.get_ident())
        with kp.uow():
            pass

    with pytest.raises(BlockingOnEventLoop):
        asyncio.run(route())

    async def in_threadpool() -> bool:
        EVENT_LOOP_THREAD.set(threading.get_ident())

        def work() -> bool:
            with kp.uow() as uow:
                return uow.session is not None

        return await asyncio.to_thread(work)

    assert asyncio.run(in_threadpool()) is True
