"""Helpers shared by the notify tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.uow import UnitOfWork
from thanglong.domains.notify.channels import DeliveryResult, OutgoingMessage
from thanglong.domains.notify.models import NotifyMessage


class MovableClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingChannel:
    """An adapter that records what it was asked to deliver."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.delivered: list[OutgoingMessage] = []

    def deliver(self, message: OutgoingMessage, uow: UnitOfWork) -> DeliveryResult:
        self.delivered.append(message)
        return DeliveryResult(provider_message_id=f"rec-{len(self.delivered)}")


def use_smtp(platform: Platform, port: int) -> None:
    """Point the platform's SMTP settings at a local port (a test server, or a closed port)."""
    platform.settings = platform.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})


def audit_actions(uow: UnitOfWork, object_id: uuid.UUID) -> list[str]:
    """Return the audit actions recorded for an object, oldest first."""
    stmt = select(AuditRecord.action).where(AuditRecord.object_id == str(object_id)).order_by(AuditRecord.seq)
    return list(uow.session.scalars(stmt))


def count_messages(uow: UnitOfWork) -> int:
    """Count the outbox rows."""
    return int(uow.session.scalar(select(func.count()).select_from(NotifyMessage)) or 0)
