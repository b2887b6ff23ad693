"""Kernel tables: the outbox, the audit log, calendar overrides and the communes' geometry."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, new_uuid
from thanglong.core.spatial import Geometry

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
