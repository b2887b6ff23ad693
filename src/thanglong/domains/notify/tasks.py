"""Background delivery: claim due messages, send them through the channel adapters, retry, give up."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from thanglong.core import audit
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

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
# A claimed message whose worker died becomes due again after the lease (well above adapter timeouts).
LEASE_SECONDS = 300
WORKER_ACTOR = f"{SYSTEM_ACTOR}:notify.deliver"
_DUE_STATUSES = (MessageStatus.QUEUED.value, MessageStatus.FAILED.value, MessageStatus.SENDING.value)


def backoff_delay(attempts: int, rng: random.Random) -> float:
    """Return the wait after the n-th failed delivery (30 s doubling to an hour, jittered)."""
    return core_backoff(attempts, rng, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS)


@dataclass(frozen=True)
class Claimed:
    """A message claimed by this worker, with its attempt number."""

    message: OutgoingMessage
    attempts: int


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0


def _snapshot(row: NotifyMessage) -> OutgoingMessage:
    return OutgoingMessage(
        id=row.id,
        channel=row.channel,
        address=row.address,
        user_id=row.user_id,
        subject=row.subject,
        body=row.body,
        language=row.language,
    )


def claim_due(uow: UnitOfWork, *, limit: int = 100) -> list[Claimed]:
    """Mark up to `limit` due messages as sending and commit, so no other pass picks them.

    PostgreSQL: FOR UPDATE SKIP LOCKED lets concurrent workers claim disjoint rows. SQLite ignores
    the clause; there BEGIN IMMEDIATE (core.db) serialises the claims, and the second pass sees the
    first one's rows already in "sending" with a lease in the future.
    """
    now = uow.clock()
    stmt = (
        select(NotifyMessage)
        .where(NotifyMessage.status.in_(_DUE_STATUSES), NotifyMessage.next_attempt_at <= now)
        .order_by(NotifyMessage.next_attempt_at, NotifyMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[Claimed] = []
    for row in uow.session.scalars(stmt).all():
        before = {"status": row.status, "attempts": row.attempts}
        row.status = MessageStatus.SENDING.value
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
        audit.record(
            uow,
            actor=WORKER_ACTOR,
            action="notify.message.sending",
            object_type="notify_message",
            object_id=str(row.id),
            before=before,
            after={"status": row.status, "attempts": row.attempts},
        )
        claimed.append(Claimed(_snapshot(row), row.attempts))
    uow.commit()
    return claimed


def _attempt(claimed: Claimed, registry: ChannelRegistry, uow: UnitOfWork) -> DeliveryResult | DeliveryError:
    adapter = registry.get(claimed.message.channel)
    if adapter is None:
        return DeliveryError(f"no adapter for channel {claimed.message.channel!r}")
    try:
        return adapter.deliver(claimed.message, uow)
    except DeliveryError as exc:
        uow.rollback()
        return exc
    except Exception as exc:  # an adapter bug must fail one message, not the worker
        uow.rollback()
        return DeliveryError(f"{type(exc).__name__}: {exc}")


def _finish(
    uow: UnitOfWork,
    claimed: Claimed,
    outcome: DeliveryResult | DeliveryError,
    *,
    max_attempts: int,
    rng: random.Random,
) -> str:
    """Record the outcome of an attempt; return the new status."""
    now = uow.clock()
    row = uow.session.get(NotifyMessage, claimed.message.id, with_for_update=True)
    if row is None:
        return "missing"
    before = {"status": row.status, "attempts": row.attempts}
    if isinstance(outcome, DeliveryResult):
        row.status = MessageStatus.SENT.value
        row.sent_at = now
        row.provider_message_id = outcome.provider_message_id
        row.last_error = None
        uow.emit(MessageDelivered(row.id, row.channel, row.attempts, outcome.provider_message_id))
    else:
        row.last_error = outcome.reason[:2000]
        if outcome.permanent or row.attempts >= max_attempts:
            row.status = MessageStatus.DEAD.value
            uow.emit(MessageDead(row.id, row.channel, row.attempts, row.last_error))
        else:
            row.status = MessageStatus.FAILED.value
            row.next_attempt_at = now + timedelta(seconds=backoff_delay(row.attempts, rng))
            uow.emit(MessageFailed(row.id, row.channel, row.attempts, row.last_error, row.next_attempt_at))
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
    uow.commit()
    return row.status


def deliver_pending(
    platform: Platform,
    *,
    registry: ChannelRegistry | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    limit: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> DeliveryReport:
    """Run one delivery pass: claim due messages, deliver each, record sent/failed/dead."""
    now_fn: Callable[[], datetime] = clock or platform.clock
    registry = registry or registry_for(platform)
    # Jitter only spreads retries out; it needs no cryptographic randomness.
    rng = rng or random.Random()  # noqa: S311

    def new_uow() -> UnitOfWork:
        return UnitOfWork(platform.session_factory, platform.bus, now_fn, platform.settings)

    with new_uow() as uow:
        claimed = claim_due(uow, limit=limit)
    report = DeliveryReport(claimed=len(claimed))
    if progress:
        progress(0, len(claimed))
    for done, item in enumerate(claimed, start=1):
        with new_uow() as uow:
            outcome = _attempt(item, registry, uow)
            status = _finish(uow, item, outcome, max_attempts=platform.settings.notify_max_attempts, rng=rng)
        if status == MessageStatus.SENT:
            report.sent += 1
        elif status == MessageStatus.FAILED:
            report.failed += 1
        elif status == MessageStatus.DEAD:
            report.dead += 1
        if progress:
            progress(done, len(claimed))
    return report
