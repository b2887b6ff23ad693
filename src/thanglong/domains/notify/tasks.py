"""Background delivery as durable jobs (kind notify.deliver): send through the channel adapters, record."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from thanglong.core import audit, jobs
from thanglong.core.backoff import backoff_delay as core_backoff
from thanglong.core.clock import Clock
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.notify.channels import (
    ChannelRegistry,
    DeliveryError,
    DeliveryResult,
    OutgoingMessage,
    registry_for,
)
from thanglong.domains.notify.events import MessageDead, MessageDelivered, MessageFailed
from thanglong.domains.notify.models import MessageStatus, NotifyMessage

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

JOB_KIND = "notify.deliver"
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
# A claimed message whose worker died becomes due again after the lease (well above adapter timeouts).
LEASE_SECONDS = 300
WORKER_ACTOR = f"{SYSTEM_ACTOR}:notify.deliver"
_FINAL = (MessageStatus.SENT.value, MessageStatus.DEAD.value)


def backoff_delay(attempts: int, rng: random.Random) -> float:
    """Return the wait after the n-th failed delivery (30 s doubling to an hour, jittered)."""
    return core_backoff(attempts, rng, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS)


class DeliveryFailed(Exception):
    """An attempt failed; the job queue retries it later."""


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0


def enqueue_delivery(uow: UnitOfWork, message_id: uuid.UUID) -> None:
    """Queue the delivery of a message in the caller's transaction (one job per message)."""
    max_attempts = uow.settings.notify_max_attempts if uow.settings else 0
    jobs.enqueue_many(
        uow,
        [
            {
                "kind": JOB_KIND,
                "payload": {"message_id": str(message_id)},
                "idempotency_key": f"{JOB_KIND}:{message_id}",
                "max_attempts": max_attempts,
            }
        ],
    )


def _snapshot(row: NotifyMessage) -> OutgoingMessage:
    return OutgoingMessage(
        id=row.id,
        channel=row.channel,
        address=row.address,
        user_id=row.user_id,
        subject=row.subject,
        body=row.body,
        language=row.language,
        link=row.link,
    )


def _message_id(job: jobs.Job) -> uuid.UUID:
    try:
        return uuid.UUID(str(job.payload["message_id"]))
    except (KeyError, ValueError) as exc:
        raise jobs.PermanentJobError("job without a valid message_id") from exc


def _attempt(message: OutgoingMessage, registry: ChannelRegistry, uow: UnitOfWork) -> DeliveryResult:
    adapter = registry.get(message.channel)
    if adapter is None:
        raise jobs.PermanentJobError(f"no adapter for channel {message.channel!r}")
    try:
        return adapter.deliver(message, uow)
    except DeliveryError as exc:
        uow.rollback()
        if exc.permanent:
            raise jobs.PermanentJobError(exc.reason) from exc
        raise DeliveryFailed(exc.reason) from exc
    except Exception as exc:  # an adapter bug fails one message, not the worker
        uow.rollback()
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def deliver_with(registry: ChannelRegistry | None) -> jobs.JobHandler:
    """Return the job handler that delivers through `registry` (None: the platform's adapters)."""

    def deliver(ctx: jobs.JobContext) -> None:
        uow = ctx.uow
        row = uow.session.get(NotifyMessage, _message_id(ctx.job))
        if row is None or row.status in _FINAL:
            return
        before = {"status": row.status, "attempts": row.attempts}
        row.status = MessageStatus.SENDING.value
        row.attempts = ctx.job.attempts
        audit.record(
            uow,
            actor=WORKER_ACTOR,
            action="notify.message.sending",
            object_type="notify_message",
            object_id=str(row.id),
            before=before,
            after={"status": row.status, "attempts": row.attempts},
        )
        message = _snapshot(row)
        # Commit "sending" before calling out: the lock is not held during the call, and the row
        # shows what is happening while it happens.
        uow.commit()
        outcome = _attempt(message, registry or registry_for(ctx.platform), uow)
        row = uow.session.get(NotifyMessage, message.id, with_for_update=True)
        if row is None:
            return
        now = uow.clock()
        row.status = MessageStatus.SENT.value
        row.sent_at = now
        row.provider_message_id = outcome.provider_message_id
        row.last_error = None
        uow.emit(MessageDelivered(row.id, row.channel, row.attempts, outcome.provider_message_id))
        _audit_outcome(uow, row, before={"status": MessageStatus.SENDING.value, "attempts": row.attempts})

    return deliver


def deliver(ctx: jobs.JobContext) -> None:
    """Deliver one message through the platform's channel adapters (the notify.deliver job)."""
    deliver_with(None)(ctx)


def _reason(error: str) -> str:
    """Drop the job queue's exception name from an adapter's reason (the adapter's words are the news)."""
    for prefix in ("DeliveryFailed: ", "PermanentJobError: "):
        if error.startswith(prefix):
            return error[len(prefix) :][:2000]
    return error[:2000]


def record_failure(uow: UnitOfWork, job: jobs.Job, error: str, retry_at: datetime | None) -> None:
    """Show a failed attempt on the message: failed with its next attempt, or dead."""
    row = uow.session.get(NotifyMessage, _message_id(job), with_for_update=True)
    if row is None or row.status in _FINAL:
        return
    before = {"status": row.status, "attempts": row.attempts}
    row.attempts = job.attempts
    row.last_error = _reason(error)
    if retry_at is None:
        row.status = MessageStatus.DEAD.value
        uow.emit(MessageDead(row.id, row.channel, row.attempts, row.last_error))
    else:
        row.status = MessageStatus.FAILED.value
        row.next_attempt_at = retry_at
        uow.emit(MessageFailed(row.id, row.channel, row.attempts, row.last_error, retry_at))
    _audit_outcome(uow, row, before=before)


def _audit_outcome(uow: UnitOfWork, row: NotifyMessage, *, before: dict[str, object]) -> None:
    audit.record(
        uow,
        actor=WORKER_ACTOR,
        action=f"notify.message.{row.status}",
        object_type="notify_message",
        object_id=str(row.id),
        before=before,
        after={
            "status": row.status,
            "attempts": row.attempts,
            "error": row.last_error,
            "provider_message_id": row.provider_message_id,
        },
    )


def deliver_pending(
    platform: Platform,
    *,
    registry: ChannelRegistry | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    limit: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> DeliveryReport:
    """Run one delivery pass now (what the worker does continuously): the due notify.deliver jobs."""
    runner = jobs.JobRunner(
        platform,
        platform.job_kinds,
        rng=rng,
        clock=clock,
        handlers={JOB_KIND: deliver_with(registry)} if registry is not None else None,
    )
    report = runner.run_once(kinds=[JOB_KIND], limit=limit, progress=progress)
    return DeliveryReport(claimed=report.claimed, sent=report.done, failed=report.retried, dead=report.dead)
