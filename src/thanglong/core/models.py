"""Kernel tables: the outbox, the audit log and its checkpoints, calendar overrides."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, Index, Integer, String, Text, text
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
    """One append-only row of the audit log: inserted unsealed, later linked into the hash chain."""

    __tablename__ = "core_audit_log"
    __table_args__ = (
        # The sealer's worklist: only unsealed rows are in this index, so it stays a few pages long.
        Index(
            "ix_core_audit_log_unsealed",
            "seq",
            postgresql_where=text("chain_seq IS NULL"),
            sqlite_where=text("chain_seq IS NULL"),
        ),
        # Unique places in the chain. Partial, so that a writer's insert (chain_seq still NULL) adds no entry:
        # the sealer adds it when it gives the record its place.
        Index(
            "uq_core_audit_log_chain_seq",
            "chain_seq",
            unique=True,
            postgresql_where=text("chain_seq IS NOT NULL"),
            sqlite_where=text("chain_seq IS NOT NULL"),
        ),
        CheckConstraint(
            "(chain_seq IS NULL AND prev_hash IS NULL AND hash IS NULL)"
            " OR (chain_seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL)",
            name="sealed_together",
        ),
    )

    # The place the record took at insert (a sequence: no lock); the chain's order is chain_seq.
    seq: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(120), index=True)
    object_type: Mapped[str] = mapped_column(String(120))
    object_id: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    source_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    # Set together by the sealer; NULL while the record waits to be sealed.
    chain_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    prev_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    hash: Mapped[str | None] = mapped_column(String(64), default=None)

    @property
    def sealed(self) -> bool:
        """Tell whether the record is linked into the hash chain yet."""
        return self.hash is not None


class AuditCheckpoint(Base):
    """A signed statement of the sealed chain's size and head, also exported as a file."""

    __tablename__ = "core_audit_checkpoint"

    id: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(8))
    # The whole signed note, byte for byte as it was signed and written to the file.
    note: Mapped[str] = mapped_column(Text)


class CalendarDay(Base):
    """An administrator's override of one day: a holiday, a bridge day off or a make-up working day."""

    __tablename__ = "core_calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool]
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str | None] = mapped_column(String(300), default=None)
    updated_at: Mapped[datetime]
