"""Kernel tables: jobs, audit log and checkpoints, calendar overrides, schedule runs, geometries."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, new_uuid
from thanglong.core.spatial import Geometry

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL wants BIGINT at city scale.
BigIntPk = BigInteger().with_variant(Integer(), "sqlite")


class Job(Base):
    """A durable unit of background work (core.jobs): claimed, leased, retried, dead after N attempts."""

    __tablename__ = "core_job"
    __table_args__ = (
        Index("ix_core_job_due", "status", "run_after"),
        Index("ix_core_job_ordering", "ordering_key", "status"),
        Index("ix_core_job_finished", "status", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    ordering_key: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(10))
    run_after: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # 0: the kind's default.
    max_attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    locked_by: Mapped[str | None] = mapped_column(String(120), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


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


class ScheduleState(Base):
    """The last slot claimed and the last run of one schedule, shared by every worker."""

    __tablename__ = "core_schedule_state"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    last_slot: Mapped[datetime | None] = mapped_column(default=None)
    last_started_at: Mapped[datetime | None] = mapped_column(default=None)
    last_finished_at: Mapped[datetime | None] = mapped_column(default=None)
    last_ok: Mapped[bool | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Also the sequence number of the latest run, so that a run finishing late cannot overwrite a newer one.
    runs: Mapped[int] = mapped_column(default=0)


class ScheduleRun(Base):
    """One run of a schedule: for a slot (the unique key lets one worker only claim it), or by hand."""

    __tablename__ = "core_schedule_run"
    __table_args__ = (
        UniqueConstraint("name", "slot"),
        Index("ix_core_schedule_run_name_started_at", "name", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    # None for a run started by hand; NULLs never collide in the unique key, on either database.
    slot: Mapped[datetime | None] = mapped_column(default=None)
    manual: Mapped[bool] = mapped_column(default=False)
    seq: Mapped[int]
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    ok: Mapped[bool | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class GeoCommune(Base):
    """A commune's boundary in the database, for spatial queries and GIS tools (QGIS reads it on PostGIS).

    Filled from the packaged data (core/data/hanoi) by the migration that creates it and by
    `thanglong geo load`; core.geo stays the in-memory source for lookups.
    """

    __tablename__ = "core_geo_commune"
    __table_args__ = (
        # A GiST index exists only on PostGIS; SQLite filters with shapely's STRtree instead.
        Index("ix_core_geo_commune_geometry", "geometry", postgresql_using="gist").ddl_if(
            dialect="postgresql"
        ),
    )

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    population: Mapped[int] = mapped_column(Integer)
    area_km2: Mapped[float] = mapped_column(Float)
    geometry: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON"))


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
