"""The maintenance job: register declared series, make partitions ahead, apply retention."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Delete, delete, func, select
from sqlalchemy.orm import Session

from thanglong.core import audit
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries import partitions, registry
from thanglong.core.timeseries.models import Point, RollupHour, RollupMinute, Series

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MaintenanceReport:
    """What one maintenance run did."""

    series: int
    partitions_created: list[str] = field(default_factory=list)
    partitions_dropped: list[str] = field(default_factory=list)
    rows_deleted: int = 0  # points and minute rollups (beyond what the dropped partitions held)
    hour_rows_deleted: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON."""
        return {
            "series": self.series,
            "partitions_created": self.partitions_created,
            "partitions_dropped": self.partitions_dropped,
            "rows_deleted": self.rows_deleted,
            "hour_rows_deleted": self.hour_rows_deleted,
        }


@dataclass(frozen=True)
class RetentionRun:
    """What one application of the retention deleted."""

    partitions_dropped: list[str]
    rows_deleted: int
    hour_rows_deleted: int


def delete_before(session: Session, horizon: datetime, series_id: int | None = None) -> int:
    """Delete points and minute rollups older than the horizon (of one series, or of all); count rows."""
    statements = [
        delete(Point).where(Point.at < horizon),
        delete(RollupMinute).where(RollupMinute.bucket < horizon),
    ]
    if series_id is not None:
        statements = [
            statements[0].where(Point.series_id == series_id),
            statements[1].where(RollupMinute.series_id == series_id),
        ]
    deleted = 0
    for stmt in statements:
        result: Any = session.execute(stmt)
        deleted += int(result.rowcount)
    return deleted


def _delete_counted(session: Session, stmt: Delete, series_id: Any) -> Counter[int]:
    """Run a delete and return how many rows it took from each series."""
    returning = stmt.returning(series_id)
    if session.get_bind().dialect.name == "postgresql":
        # Counted in the database: a day of one-minute data of thousands of series is millions of rows.
        gone = returning.cte("gone")
        rows = session.execute(select(gone.c.series_id, func.count()).group_by(gone.c.series_id))
        return Counter({int(sid): int(count) for sid, count in rows})
    return Counter(int(sid) for sid in session.scalars(returning))


def _per_series(session: Session, now: datetime, days: int) -> tuple[Counter[int], Counter[int]]:
    """Apply the series' own retentions: a few statements per distinct number of days, not per series."""
    raw: Counter[int] = Counter()
    hour: Counter[int] = Counter()
    kept_raw = select(Series.retention_days).where(Series.retention_days.is_not(None)).distinct()
    for keep in [int(k) for k in session.scalars(kept_raw) if k is not None]:
        if days and keep >= days:
            continue  # the platform's own retention comes first
        members = select(Series.id).where(Series.retention_days == keep).scalar_subquery()
        horizon = now - timedelta(days=keep)
        raw += _delete_counted(
            session, delete(Point).where(Point.at < horizon, Point.series_id.in_(members)), Point.series_id
        )
        raw += _delete_counted(
            session,
            delete(RollupMinute).where(RollupMinute.bucket < horizon, RollupMinute.series_id.in_(members)),
            RollupMinute.series_id,
        )
    kept_hours = select(Series.hour_retention_days).where(Series.hour_retention_days.is_not(None)).distinct()
    for keep in [int(k) for k in session.scalars(kept_hours) if k is not None]:
        members = select(Series.id).where(Series.hour_retention_days == keep).scalar_subquery()
        horizon = now - timedelta(days=keep)
        hour += _delete_counted(
            session,
            delete(RollupHour).where(RollupHour.bucket < horizon, RollupHour.series_id.in_(members)),
            RollupHour.series_id,
        )
    return raw, hour


def _names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    names: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(select(Series.id, Series.name).where(Series.id.in_(chunk)))
        names.update({int(sid): str(name) for sid, name in rows})
    return names


def apply_retention(platform: Platform, now: datetime) -> RetentionRun:
    """Drop (PostgreSQL) or delete (SQLite) what is past the platform's and each series' retention.

    Hour and day rollups are kept: they are small and keep long trends after the points are gone. A
    series may shorten the hour rollups' life (hour_retention_days); day rollups are never deleted.
    """
    days = platform.settings.timeseries_retention_days
    postgresql = platform.engine.dialect.name == "postgresql"
    dropped: list[str] = []
    if days and postgresql:
        # Before any transaction of ours touches the tables: the drops need their lock.
        dropped = partitions.drop_before(platform.engine, now - timedelta(days=days))
    with platform.uow() as uow:
        session = uow.session
        deleted = delete_before(session, now - timedelta(days=days)) if days and not postgresql else 0
        raw, hour = _per_series(session, now, days)
        deleted += sum(raw.values())
        hour_deleted = sum(hour.values())
        if dropped or deleted or hour_deleted:
            names = _names(session, [*raw, *hour])
            audit.record(
                uow,
                actor=SYSTEM_ACTOR,
                action="timeseries.retention",
                object_type="timeseries",
                object_id="retention",
                after={
                    "retention_days": days,
                    "partitions_dropped": dropped,
                    "rows_deleted": deleted,
                    "series": {names[sid]: count for sid, count in sorted(raw.items())},
                    "hour_rows_deleted": hour_deleted,
                    "hour_series": {names[sid]: count for sid, count in sorted(hour.items())},
                },
            )
        uow.commit()
    return RetentionRun(dropped, deleted, hour_deleted)


def maintain(platform: Platform) -> MaintenanceReport:
    """Run the time-series maintenance (the kernel schedules it; it is safe to run at any time)."""
    now = platform.clock()
    with platform.uow() as uow:
        count = registry.sync_declared(uow, platform.manifests)
        uow.commit()
    created: list[str] = []
    if platform.engine.dialect.name == "postgresql":
        created = partitions.make_ahead(
            platform.engine, partitions.utc_day(now), platform.settings.timeseries_partitions_ahead_days
        )
    run = apply_retention(platform, now)
    report = MaintenanceReport(
        count, created, run.partitions_dropped, run.rows_deleted, run.hour_rows_deleted
    )
    if created or run.partitions_dropped or run.rows_deleted or run.hour_rows_deleted:
        logger.info("time series maintenance: %s", report.to_dict())
    return report
