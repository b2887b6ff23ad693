"""Notify tables: message templates, the outbox of messages and the in-app inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class Channel(StrEnum):
    """The delivery channels (stable values stored in the database)."""

    EMAIL = "email"
    SMS = "sms"
    INAPP = "inapp"


class MessageStatus(StrEnum):
    """The life cycle of an outbox message."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class NotifyTemplate(UUIDPrimaryKey, Base):
    """A message template for one key, channel and language (Jinja2 source text)."""

    __tablename__ = "notify_template"
    __table_args__ = (
        UniqueConstraint("key", "channel", "language", name="uq_notify_template_key_channel_language"),
    )

    key: Mapped[str] = mapped_column(String(100), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class NotifyMessage(UUIDPrimaryKey, Base):
    """One rendered message waiting for, going through or done with delivery."""

    __tablename__ = "notify_message"
    __table_args__ = (
        Index("ix_notify_message_due", "status", "next_attempt_at"),
        UniqueConstraint("idempotency_key", name="uq_notify_message_idempotency_key"),
    )

    # A plain column, not a foreign key: users belong to the identity domain.
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    address: Mapped[str | None] = mapped_column(String(320), default=None)
    channel: Mapped[str] = mapped_column(String(20))
    template_key: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    provider_message_id: Mapped[str | None] = mapped_column(String(200), default=None)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # "<caller's key>:<channel>": a second send with the same key queues nothing (a retried job).
    idempotency_key: Mapped[str | None] = mapped_column(String(240), default=None)
    # A path inside the app ("/my/dossiers/<id>") the in-app item links to; never an outside address.
    link: Mapped[str | None] = mapped_column(String(300), default=None)


class NotifyInboxItem(UUIDPrimaryKey, Base):
    """An in-app message stored in a user's inbox."""

    __tablename__ = "notify_inbox_item"

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notify_message.id"), unique=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    link: Mapped[str | None] = mapped_column(String(300), default=None)
