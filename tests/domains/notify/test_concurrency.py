"""Two delivery passes at once never send a message twice (real commits on a database of its own)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from thanglong.core.models import Job
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import committing_platform as own_database
from thanglong.core.uow import UnitOfWork
from thanglong.domains.notify import api, tasks
from thanglong.domains.notify.channels import ChannelRegistry, DeliveryResult, OutgoingMessage
from thanglong.domains.notify.models import NotifyMessage

ANNOUNCE = {"title": "Diễn tập phòng cháy", "content": "Tòa nhà số 1 Tràng Tiền, 9h sáng mai."}


class SlowChannel:
    """Record every delivery, slowly enough for two passes to overlap."""

    channel = "email"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[uuid.UUID] = []

    def deliver(self, message: OutgoingMessage, uow: UnitOfWork) -> DeliveryResult:
        time.sleep(0.005)
        with self.lock:
            self.sent.append(message.id)
        return DeliveryResult(provider_message_id=str(message.id))


@pytest.fixture
def committing_platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform on a database of its own whose commits are real (several connections see them)."""
    with own_database(tmp_path, "notify_race") as platform:
        yield platform


def queue_many(platform: Platform, n: int) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    with platform.uow() as uow:
        for i in range(n):
            ids += api.send(
                uow,
                actor="test",
                template_key="announcement",
                context=ANNOUNCE,
                to_email=f"dan{i}@example.vn",
            )
        uow.commit()
    return ids


def test_two_concurrent_passes_send_each_message_exactly_once(committing_platform: Platform) -> None:
    platform = committing_platform
    ids = queue_many(platform, 40)
    channel = SlowChannel()
    registry = ChannelRegistry([channel])
    barrier = threading.Barrier(2)
    reports: list[tasks.DeliveryReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            reports.append(tasks.deliver_pending(platform, registry=registry, limit=15))
            reports.append(tasks.deliver_pending(platform, registry=registry, limit=15))
            reports.append(tasks.deliver_pending(platform, registry=registry, limit=15))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    counts = Counter(channel.sent)
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1, "a message was sent twice"
    assert sum(r.sent for r in reports) == len(ids)
    with platform.uow() as uow:
        rows = uow.session.scalars(select(NotifyMessage).where(NotifyMessage.id.in_(ids))).all()
        assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}


def test_a_pass_skips_rows_another_worker_holds(committing_platform: Platform) -> None:
    """PostgreSQL skips the locked rows; SQLite makes the second pass wait for the first one's commit."""
    platform = committing_platform
    ids = queue_many(platform, 6)
    channel = SlowChannel()
    registry = ChannelRegistry([channel])
    holder = platform.session_factory()
    try:
        # Another worker holds the delivery jobs of the first two messages.
        held_jobs = holder.scalars(
            select(Job)
            .where(Job.kind == tasks.JOB_KIND)
            .order_by(Job.id)
            .limit(2)
            .with_for_update(skip_locked=True)
        ).all()
        held = [uuid.UUID(job.payload["message_id"]) for job in held_jobs]
        assert len(held) == 2
        if platform.engine.dialect.name == "postgresql":
            report = tasks.deliver_pending(platform, registry=registry)
            assert report.sent == 4
            assert set(channel.sent) == set(ids) - set(held), "rows locked by another worker were taken"
            holder.rollback()
        else:
            # On SQLite the holder's BEGIN IMMEDIATE owns the write lock: the pass must wait, not proceed.
            done = threading.Event()
            result: list[tasks.DeliveryReport] = []

            def second_pass() -> None:
                result.append(tasks.deliver_pending(platform, registry=registry))
                done.set()

            thread = threading.Thread(target=second_pass)
            thread.start()
            assert not done.wait(0.5), "the second pass ran while another transaction held the lock"
            assert channel.sent == []
            holder.rollback()
            thread.join(20)
            assert result and result[0].sent == 6
        rest = tasks.deliver_pending(platform, registry=registry)
        assert Counter(channel.sent) == Counter(ids)
        assert rest.sent == (2 if platform.engine.dialect.name == "postgresql" else 0)
    finally:
        holder.close()
