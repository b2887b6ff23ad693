"""Delivery passes: SMTP for real, the inbox, retries with backoff, dead letters, events and audit."""

from __future__ import annotations

import random
import uuid

import pytest

from tests.domains.notify.conftest import SmsGateway, SmtpServer
from tests.domains.notify.helpers import MovableClock, RecordingChannel, audit_actions, use_smtp
from thanglong.core import jobs
from thanglong.core.errors import NotFound
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus, free_port
from thanglong.core.uow import UnitOfWork
from thanglong.domains.notify import api, services, tasks
from thanglong.domains.notify.channels import ChannelRegistry, DeliveryResult, OutgoingMessage
from thanglong.domains.notify.events import MessageDead, MessageDelivered, MessageFailed
from thanglong.domains.notify.models import NotifyMessage

ANNOUNCE = {"title": "Thông báo lịch tiếp dân", "content": "Chủ tịch UBND phường tiếp công dân sáng thứ Năm."}


def queue(platform: Platform, clock: MovableClock | None = None, **kwargs: object) -> list[uuid.UUID]:
    if clock is not None:
        platform.clock = clock
    with platform.uow() as uow:
        return api.send_now(uow, actor="test", template_key="announcement", context=ANNOUNCE, **kwargs)  # type: ignore[arg-type]


def queue_inapp(platform: Platform, user_id: uuid.UUID, clock: MovableClock) -> uuid.UUID:
    """Write an in-app message straight into the outbox (no identity lookup needed)."""
    platform.clock = clock
    with platform.uow() as uow:
        row = NotifyMessage(
            user_id=user_id,
            channel="inapp",
            template_key="announcement",
            language="vi",
            subject="Lịch cắt điện",
            body="Phường Hoàn Kiếm: cắt điện 8h–11h.",
            status="queued",
            attempts=0,
            next_attempt_at=clock(),
            created_by="test",
            created_at=clock(),
        )
        uow.session.add(row)
        uow.session.flush()
        tasks.enqueue_delivery(uow, row.id)
        uow.commit()
        return row.id


def test_email_is_delivered_through_smtp_and_marked_sent(
    platform: Platform, smtp_server: SmtpServer, fake_bus: RecordingBus, clock: MovableClock
) -> None:
    use_smtp(platform, smtp_server.port)
    [mid] = queue(platform, clock, to_email="cong.dan@example.vn")
    report = tasks.deliver_pending(platform, clock=clock)
    assert (report.claimed, report.sent, report.failed, report.dead) == (1, 1, 0, 0)
    assert smtp_server.inbox.received.wait(5)
    _, received = smtp_server.inbox.messages[0]
    assert str(received["Subject"]) == "[Thông báo] Thông báo lịch tiếp dân"
    assert "Chủ tịch UBND phường tiếp công dân sáng thứ Năm." in received.get_content()
    with platform.uow() as uow:
        message = api.get_message(uow, mid)
        assert message.status == "sent"
        assert message.attempts == 1
        assert message.sent_at == clock.now
        assert message.provider_message_id == str(received["Message-ID"]).strip()
        assert audit_actions(uow, mid) == [
            "notify.message.queued",
            "notify.message.sending",
            "notify.message.sent",
        ]
    delivered = [e for e in fake_bus.published if isinstance(e, MessageDelivered)]
    assert [(e.message_id, e.channel) for e in delivered] == [(mid, "email")]
    assert tasks.deliver_pending(platform, clock=clock).claimed == 0, "a sent message is never sent again"


def test_smtp_down_retries_with_growing_backoff_then_dead(
    platform: Platform, fake_bus: RecordingBus, clock: MovableClock
) -> None:
    use_smtp(platform, free_port())
    platform.settings = platform.settings.model_copy(update={"notify_max_attempts": 4})
    [mid] = queue(platform, clock, to_email="a@example.vn")
    rng = random.Random(7)
    waits: list[float] = []
    for attempt in range(1, 4):
        report = tasks.deliver_pending(platform, clock=clock, rng=rng)
        assert (report.claimed, report.failed) == (1, 1)
        with platform.uow() as uow:
            message = api.get_message(uow, mid)
        assert message.status == "failed"
        assert message.attempts == attempt
        assert message.last_error and "smtp 127.0.0.1" in message.last_error
        wait = (message.next_attempt_at - clock.now).total_seconds()
        ceiling = tasks.BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling
        waits.append(wait)
        clock.advance(wait - 1)
        assert tasks.deliver_pending(platform, clock=clock).claimed == 0, "not due before next_attempt_at"
        clock.advance(1)
    assert waits == sorted(waits) and waits[0] < waits[-1]
    report = tasks.deliver_pending(platform, clock=clock, rng=rng)
    assert (report.claimed, report.dead) == (1, 1)
    with platform.uow() as uow:
        message = api.get_message(uow, mid)
        assert (message.status, message.attempts) == ("dead", 4)
        actions = audit_actions(uow, mid)
    assert actions.count("notify.message.failed") == 3
    assert actions[-1] == "notify.message.dead"
    clock.advance(10 * 86400)
    assert tasks.deliver_pending(platform, clock=clock).claimed == 0, "dead messages stay dead"
    failed = [e for e in fake_bus.published if isinstance(e, MessageFailed)]
    dead = [e for e in fake_bus.published if isinstance(e, MessageDead)]
    assert [e.attempts for e in failed] == [1, 2, 3]
    assert [(e.message_id, e.attempts) for e in dead] == [(mid, 4)]


def test_no_sms_gateway_marks_failed_with_the_reason_and_keeps_going(
    platform: Platform, clock: MovableClock, smtp_server: SmtpServer
) -> None:
    use_smtp(platform, smtp_server.port)
    platform.settings = platform.settings.model_copy(update={"sms_gateway_url": None})
    sms, email = queue(
        platform, clock, to_phone="0981234567", to_email="a@example.vn", channels=["sms", "email"]
    )
    report = tasks.deliver_pending(platform, clock=clock)
    assert (report.sent, report.failed) == (1, 1)
    with platform.uow() as uow:
        failed = api.get_message(uow, sms)
        assert failed.status == "failed"
        assert failed.last_error and "not configured" in failed.last_error
        assert api.get_message(uow, email).status == "sent"


def test_sms_is_delivered_through_the_http_gateway(
    platform: Platform, clock: MovableClock, sms_gateway: SmsGateway
) -> None:
    platform.settings = platform.settings.model_copy(update={"sms_gateway_url": sms_gateway.url})
    [mid] = queue(platform, clock, to_phone="+84 98 123 4567")
    assert tasks.deliver_pending(platform, clock=clock).sent == 1
    [request] = sms_gateway.requests
    assert request.body["to"] == "+84981234567"
    assert request.body["text"].startswith("Thăng Long: Thông báo lịch tiếp dân.")
    with platform.uow() as uow:
        assert api.get_message(uow, mid).provider_message_id == "gw-1"


def test_a_permanent_refusal_goes_dead_at_once(
    platform: Platform, clock: MovableClock, sms_gateway: SmsGateway
) -> None:
    platform.settings = platform.settings.model_copy(update={"sms_gateway_url": sms_gateway.url})
    sms_gateway.status = 400
    [mid] = queue(platform, clock, to_phone="0981234567")
    assert tasks.deliver_pending(platform, clock=clock).dead == 1
    with platform.uow() as uow:
        message = api.get_message(uow, mid)
    assert (message.status, message.attempts) == ("dead", 1)
    assert message.last_error and "400" in message.last_error


def test_a_crashing_adapter_fails_one_message_not_the_pass(platform: Platform, clock: MovableClock) -> None:
    class Broken:
        channel = "email"

        def deliver(self, message: OutgoingMessage, uow: UnitOfWork) -> DeliveryResult:
            raise RuntimeError("bug in adapter")

    ok = RecordingChannel("sms")
    registry = ChannelRegistry([Broken(), ok])
    email, sms = queue(
        platform, clock, to_email="a@example.vn", to_phone="0912345678", channels=["email", "sms"]
    )
    report = tasks.deliver_pending(platform, clock=clock, registry=registry)
    assert (report.sent, report.failed) == (1, 1)
    with platform.uow() as uow:
        assert "RuntimeError: bug in adapter" in (api.get_message(uow, email).last_error or "")
        assert api.get_message(uow, sms).status == "sent"


def test_inapp_delivery_stores_in_the_inbox_and_mark_read_is_owner_only(
    platform: Platform, clock: MovableClock, fake_bus: RecordingBus
) -> None:
    owner, stranger = uuid.uuid4(), uuid.uuid4()
    mid = queue_inapp(platform, owner, clock)
    assert tasks.deliver_pending(platform, clock=clock).sent == 1
    with platform.uow() as uow:
        [item] = services.list_inbox(uow, owner)
        assert (item.message_id, item.subject, item.read_at) == (mid, "Lịch cắt điện", None)
        assert api.get_message(uow, mid).provider_message_id == str(item.id)
        assert services.list_inbox(uow, stranger) == []
        with pytest.raises(NotFound):
            services.mark_read(uow, actor="x", user_id=stranger, item_id=item.id)
        clock.advance(60)
        read = services.mark_read(uow, actor="owner", user_id=owner, item_id=item.id)
        assert read.read_at == clock.now
        again = services.mark_read(uow, actor="owner", user_id=owner, item_id=item.id)
        assert again.read_at == read.read_at
        assert services.list_inbox(uow, owner, unread_only=True) == []
        assert audit_actions(uow, item.id) == ["notify.inbox.read"]


def test_a_crashed_worker_lease_expires_and_the_message_is_retried(
    platform: Platform, clock: MovableClock
) -> None:
    [mid] = queue(platform, clock, to_email="a@example.vn")
    with platform.uow() as uow:
        # A worker claims the message's job and dies before delivering it.
        [[claimed]] = jobs.claim(
            uow.session,
            now=clock(),
            worker="dead-worker",
            kinds=[tasks.JOB_KIND],
            limit=10,
            lease_seconds=lambda _k: tasks.LEASE_SECONDS,
        )
        uow.commit()
    assert claimed.payload == {"message_id": str(mid)}
    recorder = RecordingChannel("email")
    registry = ChannelRegistry([recorder])
    assert tasks.deliver_pending(platform, clock=clock, registry=registry).claimed == 0
    clock.advance(tasks.LEASE_SECONDS)
    assert tasks.deliver_pending(platform, clock=clock, registry=registry).sent == 1
    with platform.uow() as uow:
        assert api.get_message(uow, mid).attempts == 2


def test_backoff_is_capped_and_never_shrinks() -> None:
    rng = random.Random(1)
    previous = 0.0
    for attempt in range(1, 30):
        delay = tasks.backoff_delay(attempt, rng)
        assert delay >= previous / 2
        assert delay <= tasks.BACKOFF_CAP_SECONDS
        previous = delay
    assert tasks.backoff_delay(40, rng) >= tasks.BACKOFF_CAP_SECONDS / 2


def test_progress_callback_reports_each_message(platform: Platform, clock: MovableClock) -> None:
    queue(platform, clock, to_email="a@example.vn", to_phone="0912345678")
    seen: list[tuple[int, int]] = []
    registry = ChannelRegistry([RecordingChannel("email"), RecordingChannel("sms")])
    tasks.deliver_pending(platform, clock=clock, registry=registry, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
