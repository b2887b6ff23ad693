"""Relay the kernel outbox to MQTT: at-least-once, in creation order, marked only after the broker's ack."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from thanglong.core.models import OutboxMessage
from thanglong.core.platform import Platform
from thanglong.worker.publisher import MqttPublisher, PublishFailed

logger = logging.getLogger(__name__)

TOPIC_PREFIX = "thanglong/events/"
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class RelayReport:
    """What one pass of the relay did."""

    dispatched: int = 0
    failed: int = 0
    error: str | None = None


def topic_for(event_name: str) -> str:
    """Return the MQTT topic an event is published on."""
    return f"{TOPIC_PREFIX}{event_name}"


def envelope(message: OutboxMessage) -> bytes:
    """Encode an outbox row as the JSON message subscribers receive (the id lets them drop duplicates)."""
    body = {
        "id": str(message.id),
        "event": message.event_name,
        "created_at": message.created_at.isoformat(),
        "payload": message.payload,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _pending_batch(session: Session, batch: int) -> Sequence[OutboxMessage]:
    """Lock the oldest undispatched messages (SKIP LOCKED on PostgreSQL; SQLite serialises writers)."""
    return (
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.dispatched_at.is_(None))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )


def _record_failure(platform: Platform, error: str, batch: int) -> int:
    """Count a failed attempt on the oldest pending messages when the broker cannot be reached."""
    with platform.uow() as uow:
        rows = _pending_batch(uow.session, batch)
        for row in rows:
            row.attempts += 1
            row.last_error = error[:MAX_ERROR_CHARS]
        uow.commit()
        return len(rows)


def relay_outbox(platform: Platform, publisher: MqttPublisher, *, batch: int = 100) -> RelayReport:
    """Publish one batch of undispatched outbox messages; stop at the first failure to keep the order."""
    try:
        # Connecting before the transaction keeps a slow or absent broker from holding row locks.
        publisher.ensure_connected()
    except PublishFailed as exc:
        logger.warning("outbox relay: %s", exc)
        return RelayReport(failed=_record_failure(platform, str(exc), batch), error=str(exc))
    dispatched = 0
    failed = 0
    error: str | None = None
    with platform.uow() as uow:
        rows = _pending_batch(uow.session, batch)
        for row in rows:
            row.attempts += 1
            try:
                publisher.publish(topic_for(row.event_name), envelope(row))
            except PublishFailed as exc:
                error = str(exc)
                row.last_error = error[:MAX_ERROR_CHARS]
                failed = 1
                break
            row.dispatched_at = uow.clock()
            row.last_error = None
            dispatched += 1
        # A crash between the broker's ack and this commit re-sends the batch: delivery is at least once.
        uow.commit()
    if error:
        logger.warning("outbox relay: %s", error)
    return RelayReport(dispatched=dispatched, failed=failed, error=error)
