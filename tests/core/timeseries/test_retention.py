"""Retention: PostgreSQL drops whole daily partitions, SQLite deletes rows; hour and day rollups stay."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.core.timeseries.conftest import HUMIDITY, TEMPERATURE, committing_platform
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.timeseries import partitions, registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.maintenance import maintain
from thanglong.core.timeseries.models import Point, RollupDay, RollupHour, RollupMinute
from thanglong.core.timeseries.query import query

TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
NOW = TODAY + timedelta(hours=12)


def _times(platform: Platform, model: type[Point] | type[RollupMinute], name: str) -> list[datetime]:
    column = Point.at if model is Point else RollupMinute.bucket
    sid_column = Point.series_id if model is Point else RollupMinute.series_id
    with platform.uow() as uow:
        sid = registry.get(uow.session, name).id
        return list(uow.session.scalars(select(column).where(sid_column == sid).order_by(column)))


def _seed(tmp_path: Path, url: str) -> dict[str, list[datetime]]:
    """Store points over the last 40 days with retention off, as a platform running before would have."""
    seeder = committing_platform(tmp_path, url, NOW, timeseries_retention_days=0)
    days_ago = {TEMPERATURE.name: [40, 31, 29, 1], HUMIDITY.name: [3, 1]}
    at = {name: [TODAY - timedelta(days=d) + timedelta(hours=6) for d in ds] for name, ds in days_ago.items()}
    # One more point older than the horizon (30 days before NOW) but on the day the horizon falls in.
    at[TEMPERATURE.name].insert(2, TODAY - timedelta(days=30) + timedelta(hours=6))
    try:
        with seeder.uow() as uow:
            registry.register(uow, "core", TEMPERATURE)
            registry.register(uow, "core", dataclasses.replace(HUMIDITY, retention_days=2))
            append(uow, [(name, t, 1.0) for name, times in at.items() for t in times])
            uow.commit()
    finally:
        seeder.close()
    return at


def test_retention_of_the_platform_and_of_one_series(tmp_path: Path, committing_url: str) -> None:
    at = _seed(tmp_path, committing_url)
    temperature = at[TEMPERATURE.name]
    platform = committing_platform(tmp_path, committing_url, NOW, timeseries_retention_days=30)
    try:
        report = maintain(platform)
        postgresql = platform.engine.dialect.name == "postgresql"
        kept = temperature[3:]
        if postgresql:
            # Whole days only: the partitions of 40 and 31 days ago go; the day the horizon falls in stays.
            gone = [TODAY - timedelta(days=40), TODAY - timedelta(days=31)]
            assert report.partitions_dropped == [
                partitions.partition_name(table, day.date())
                for day in gone
                for table in ("core_ts_point", "core_ts_rollup_minute")
            ]
            kept = temperature[2:]
            with platform.engine.connect() as conn:
                days = partitions.partition_days(conn)
            assert not any(day.date() in days["core_ts_point"] for day in gone)
            # The series' own retention (two days) is shorter: its rows are deleted in both tables.
            assert report.rows_deleted == 2
        else:
            assert report.partitions_dropped == []
            # Three old points of the platform and one of the two-day series, each with its minute rollup.
            assert report.rows_deleted == 8
        assert _times(platform, Point, TEMPERATURE.name) == kept
        assert _times(platform, RollupMinute, TEMPERATURE.name) == kept
        assert _times(platform, Point, HUMIDITY.name) == [at[HUMIDITY.name][1]]
        with platform.uow() as uow:
            sid = registry.get(uow.session, TEMPERATURE.name).id
            # The hour and day rollups keep the long trend after the points are gone.
            for model in (RollupHour, RollupDay):
                assert uow.session.scalar(select(func.count()).where(model.series_id == sid)) == 5
            old = TODAY - timedelta(days=41)
            assert query(uow.session, TEMPERATURE.name, old, NOW, "day", "count") == [
                (t.replace(hour=0) - timedelta(hours=7), 1.0) for t in temperature
            ]
            afters = uow.session.scalars(
                select(AuditRecord.after).where(AuditRecord.action == "timeseries.retention")
            ).all()
        assert len(afters) == 1 and afters[0] is not None
        assert (afters[0]["rows_deleted"], afters[0]["series"]) == (report.rows_deleted, {HUMIDITY.name: 2})
        assert afters[0]["partitions_dropped"] == report.partitions_dropped
        # Nothing is left to do a second time, and nothing more is audited.
        again = maintain(platform)
        assert (again.partitions_dropped, again.rows_deleted) == ([], 0)
    finally:
        platform.close()


def test_a_series_may_shorten_the_life_of_its_hour_rollups(tmp_path: Path, committing_url: str) -> None:
    short = dataclasses.replace(HUMIDITY, retention_days=2, hour_retention_days=5)
    days_ago = [10, 4, 1]
    seeder = committing_platform(tmp_path, committing_url, NOW, timeseries_retention_days=0)
    try:
        with seeder.uow() as uow:
            registry.register(uow, "core", short)
            registry.register(uow, "core", TEMPERATURE)
            append(
                uow,
                [
                    (name, TODAY - timedelta(days=d) + timedelta(hours=6), 1.0)
                    for name in (short.name, TEMPERATURE.name)
                    for d in days_ago
                ],
            )
            uow.commit()
    finally:
        seeder.close()
    platform = committing_platform(tmp_path, committing_url, NOW, timeseries_retention_days=30)
    try:
        report = maintain(platform)
        # Two old points of the short series, each with its minute rollup; one hour rollup of ten days ago.
        assert (report.rows_deleted, report.hour_rows_deleted) == (4, 1)
        with platform.uow() as uow:
            ids = {name: registry.get(uow.session, name).id for name in (short.name, TEMPERATURE.name)}

            def count(model: type[RollupHour] | type[RollupDay], name: str) -> int:
                return int(uow.session.scalar(select(func.count()).where(model.series_id == ids[name])) or 0)

            assert (count(RollupHour, short.name), count(RollupDay, short.name)) == (2, 3)
            assert (count(RollupHour, TEMPERATURE.name), count(RollupDay, TEMPERATURE.name)) == (3, 3)
            hours = query(uow.session, short.name, TODAY - timedelta(days=11), NOW, "hour", "count")
            assert [at for at, _ in hours] == [TODAY - timedelta(days=d) + timedelta(hours=6) for d in (4, 1)]
            after = uow.session.scalars(
                select(AuditRecord.after).where(AuditRecord.action == "timeseries.retention")
            ).one()
        assert after is not None
        assert (after["series"], after["hour_series"], after["hour_rows_deleted"]) == (
            {short.name: 4},
            {short.name: 1},
            1,
        )
        again = maintain(platform)
        assert (again.rows_deleted, again.hour_rows_deleted) == (0, 0)
    finally:
        platform.close()
