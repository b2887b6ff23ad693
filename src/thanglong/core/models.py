"""Kernel tables: the outbox, the audit log and calendar overrides."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, new_uuid

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL wants BIGINT at city scale.
BigIntPk = BigInteger().with_variant(Integer(), "sqlite")


class OutboxMessage(Base):
    """An event meant for other processes, written in the same transaction as the change."""

    __tablename__ = "core_outbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    event_name: Mapped[str] = mapped_column(String(120), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class AuditRecord(Base):
    """One append-only, hash-chained row of the audit log."""

    __tablename__ = "core_audit_log"

    seq: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(120), index=True)
    object_type: Mapped[str] = mapped_column(String(120))
    object_id: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    source_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class CalendarDay(Base):
    """An administrator's override of one day: a holiday, a bridge day off or a make-up working day."""

    __tablename__ = "core_calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool]
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str | None] = mapped_column(String(300), default=None)
    updated_at: Mapped[datetime]


class ConsumerProcessed(Base):
    """A message id a consumer handled, written in the handler's transaction to recognise redeliveries."""

    __tablename__ = "core_consumer_processed"

    consumer: Mapped[str] = mapped_column(String(250), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)


class ConsumerRejected(Base):
    """A consumer message set aside: its payload failed the schema, or its handler kept failing."""

    __tablename__ = "core_consumer_rejected"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    consumer: Mapped[str] = mapped_column(String(200), index=True)
    topic: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200), default=None)
    reason: Mapped[str] = mapped_column(String(20))
    error: Mapped[str] = mapped_column(Text)
    payload_excerpt: Mapped[str] = mapped_column(Text)
    payload_bytes: Mapped[int]
    at: Mapped[datetime] = mapped_column(index=True)


class ConsumerCounter(Base):
    """Running totals of one consumer in one worker, updated in the same transactions as the handling."""

    __tablename__ = "core_consumer_counter"

    consumer: Mapped[str] = mapped_column(String(200), primary_key=True)
    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    handled: Mapped[int] = mapped_column(BigInteger, default=0)
    duplicates: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    failed: Mapped[int] = mapped_column(BigInteger, default=0)
    expired: Mapped[int] = mapped_column(BigInteger, default=0)
    redelivered: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]
