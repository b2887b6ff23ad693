"""Tables of the time series: the registry, the points and the minute, hour and day rollups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base

# On PostgreSQL these two tables are partitioned by day (see partitions.py); SQLite ignores the option.
PARTITIONED = ("core_ts_point", "core_ts_rollup_minute")


class Series(Base):
    """A registered series: what is measured, in what unit, owned by which domain."""

    __tablename__ = "core_ts_series"

    # A small integer rather than a UUID: it is repeated in every point and rollup row.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str] = mapped_column(String(60), index=True)
    unit: Mapped[str] = mapped_column(String(40))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    description_vi: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    # Points and minute rollups older than this many days are deleted (None: the platform's retention).
    retention_days: Mapped[int | None] = mapped_column(Integer, default=None)
    # Hour rollups older than this many days are deleted (None: kept for ever); day rollups always stay.
    hour_retention_days: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Point(Base):
    """One measurement; (series, time) is unique, so a re-sent point is not stored twice."""

    __tablename__ = "core_ts_point"
    __table_args__ = (
        # BRIN: a few pages per partition, enough for time-range scans of append-ordered rows.
        Index("ix_core_ts_point_at", "at", postgresql_using="brin"),
        {"postgresql_partition_by": "RANGE (at)"},
    )

    # No foreign key to the registry: checking it per row would cost the append path a lookup.
    series_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(primary_key=True)
    value: Mapped[float] = mapped_column(Double)


class Rollup(Base):
    """Columns of a rollup bucket: how many points, their sum, minimum and maximum."""

    __abstract__ = True

    series_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    sum: Mapped[float] = mapped_column(Double)
    min: Mapped[float] = mapped_column(Double)
    max: Mapped[float] = mapped_column(Double)


class RollupMinute(Rollup):
    """Per-minute rollup (as large as the points for one-minute data: partitioned like them)."""

    __tablename__ = "core_ts_rollup_minute"
    __table_args__ = ({"postgresql_partition_by": "RANGE (bucket)"},)


class RollupHour(Rollup):
    """Per-hour rollup, kept beyond the points' retention (for ever, unless the series says otherwise)."""

    __tablename__ = "core_ts_rollup_hour"


class RollupDay(Rollup):
    """Per-day rollup (days of Asia/Ho_Chi_Minh), kept beyond the points' retention."""

    __tablename__ = "core_ts_rollup_day"


ROLLUPS: dict[int, type[Rollup]] = {60: RollupMinute, 3600: RollupHour, 86400: RollupDay}
