"""The maintenance job: register declared series, make partitions ahead, apply retention."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from thanglong.core import audit
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries import partitions, registry
from thanglong.core.timeseries.models import Point, RollupMinute, Series

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MaintenanceReport:
    """What one maintenance run did."""

    series: int
    partitions_created: list[str] = field(default_factory=list)
    partitions_dropped: list[str] = field(default_factory=list)
    rows_deleted: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON."""
        return {
            "series": self.series,
            "partitions_created": self.partitions_created,
            "partitions_dropped": self.partitions_dropped,
            "rows_deleted": self.rows_deleted,
        }


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


def apply_retention(platform: Platform, now: datetime) -> tuple[list[str], int]:
    """Drop (PostgreSQL) or delete (SQLite) what is past the platform's and each series' retention.

    Hour and day rollups are kept: they are small and keep long trends after the points are gone.
    """
    days = platform.settings.timeseries_retention_days
    postgresql = platform.engine.dialect.name == "postgresql"
    dropped: list[str] = []
    if days and postgresql:
        # Before any transaction of ours touches the tables: the drops need their lock.
        dropped = partitions.drop_before(platform.engine, now - timedelta(days=days))
    with platform.uow() as uow:
        deleted = delete_before(uow.session, now - timedelta(days=days)) if days and not postgresql else 0
        shorter = uow.session.execute(
            select(Series.id, Series.name, Series.retention_days).where(Series.retention_days.is_not(None))
        ).all()
        per_series = {}
        for sid, name, keep in shorter:
            if keep is None or (days and keep >= days):
                continue
            count = delete_before(uow.session, now - timedelta(days=keep), sid)
            if count:
                per_series[name] = count
            deleted += count
        if dropped or deleted:
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
                    "series": per_series,
                },
            )
        uow.commit()
    return dropped, deleted


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
    dropped, deleted = apply_retention(platform, now)
    report = MaintenanceReport(count, created, dropped, deleted)
    if created or dropped or deleted:
        logger.info("time series maintenance: %s", report.to_dict())
    return report
