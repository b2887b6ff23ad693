"""Delivery tables: each release of an announcement, what was published where, and the receipts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey

IDENTIFIER_LENGTH = 200
SERIAL_LENGTH = 40


class Release(UUIDPrimaryKey, Base):
    """One AnnouncementReleased handled by delivery: an Alert, Update or Cancel and its targets."""

    __tablename__ = "terminals_release"

    announcement_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # The CAP identifier: also the envelopes' message id, and what receipts name.
    identifier: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH), unique=True)
    msg_type: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    # Target communes, space-separated official codes; empty for the whole city.
    communes: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    released_at: Mapped[datetime] = mapped_column(index=True)
    # "published", or "expired" when it arrived too late to publish anything.
    status: Mapped[str] = mapped_column(String(20))
    # The identifier of the Update or Cancel that replaced it in the retained active lists.
    replaced_by: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH), default=None)


class Publication(UUIDPrimaryKey, Base):
    """One signed envelope published to one announce topic."""

    __tablename__ = "terminals_publication"
    __table_args__ = (
        UniqueConstraint("release_id", "topic"),
        Index("ix_terminals_publication_topic_expires_at", "topic", "expires_at"),
    )

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("terminals_release.id", ondelete="CASCADE"))
    identifier: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH))
    topic: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH))
    # The envelope exactly as published (signed JSON), listed again in the topic's retained message.
    envelope: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    published_at: Mapped[datetime]
    # MQTT 5 message expiry interval sent (None on an MQTT 3.1.1 broker, which has none).
    expiry_seconds: Mapped[int | None] = mapped_column(default=None)


class Receipt(UUIDPrimaryKey, Base):
    """A terminal's receipt of an announcement: delivered, played or acknowledged, counted once."""

    __tablename__ = "terminals_receipt"
    __table_args__ = (
        UniqueConstraint("identifier", "serial", "kind"),
        Index("ix_terminals_receipt_release_id_kind", "release_id", "kind"),
    )

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("terminals_release.id", ondelete="CASCADE"))
    identifier: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH))
    serial: Mapped[str] = mapped_column(String(SERIAL_LENGTH))
    kind: Mapped[str] = mapped_column(String(20))
    # The terminal's commune when the receipt came (the reach report groups by it without a join).
    commune_code: Mapped[str] = mapped_column(String(10))
    # The terminal's own clock, as reported, and the platform's when the receipt was stored.
    at: Mapped[datetime]
    received_at: Mapped[datetime]


class ReceiptOutcome(Base):
    """How many receipt messages ended how (stored, duplicate, unknown serial, ...), across workers.

    In shards: each batch adds to the row of its outcome and a random shard, and the counts are summed
    on read, so that two workers rarely wait on the same row lock until the other commits.
    """

    __tablename__ = "terminals_receipt_outcome"

    outcome: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
