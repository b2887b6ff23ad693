"""The kernel's maintenance enforces the policies: old traffic points go, hour rollups stay, others stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.domains.operations.retention.conftest import DOMAINS
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.maintenance import maintain
from thanglong.core.timeseries.models import Point, RollupDay, RollupHour, RollupMinute
from thanglong.core.timeseries.query import query
from thanglong.domains.operations.entities import services as entities
from thanglong.domains.operations.retention import services as retention
from thanglong.domains.operations.series import series_name

TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
NOW = TODAY + timedelta(hours=12)
TRAFFIC = series_name("urn:ngsi-ld:TrafficFlowObserved:lane-1", "intensity")
AIR = series_name("urn:ngsi-ld:AirQualityObserved:st-1", "pm25")
# Days ago of the stored points: 40 and 31 are past the traffic policy's 30 days, not past air's 90.
DAYS_AGO = (40, 31, 5, 1)


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own: the maintenance commits, and drops partitions on PostgreSQL."""
    found = create_database(tmp_path, "retention")
    engine = make_engine(found)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    yield found
    drop_database(found)


def _platform(tmp_path: Path, url: str, **settings: object) -> Platform:
    return build_platform(make_settings(tmp_path, url, domains=DOMAINS, **settings), clock=lambda: NOW)


def _seed(tmp_path: Path, url: str) -> None:
    """Two sensors with points over the last 40 days, stored while the platform kept everything."""
    seeder = _platform(tmp_path, url, timeseries_retention_days=0)
    try:
        with seeder.uow() as uow:
            for entity_type, key, attribute in (
                ("TrafficFlowObserved", "lane-1", "intensity"),
                ("AirQualityObserved", "st-1", "pm25"),
            ):
                body = {"id": f"urn:ngsi-ld:{entity_type}:{key}", "type": entity_type, attribute: 1.0}
                entities.create_entity(uow, actor="test", body=body, context=None, key_values=True)
        with seeder.uow() as uow:
            append(
                uow,
                [
                    (name, TODAY - timedelta(days=d) + timedelta(hours=h, minutes=m), float(h))
                    for name in (TRAFFIC, AIR)
                    for d in DAYS_AGO
                    for h in (6, 7)
                    for m in (0, 30)
                ],
            )
            uow.commit()
    finally:
        seeder.close()


def _count(platform: Platform, model: type[Point | RollupMinute | RollupHour | RollupDay], name: str) -> int:
    with platform.uow() as uow:
        sid = registry.get(uow.session, name).id
        return int(uow.session.scalar(select(func.count()).where(model.series_id == sid)) or 0)


def test_old_traffic_points_go_while_its_hour_rollups_and_other_types_stay(tmp_path: Path, url: str) -> None:
    _seed(tmp_path, url)
    platform = _platform(tmp_path, url)  # the platform's own retention: 400 days
    try:
        models = (Point, RollupMinute, RollupHour, RollupDay)
        air = {m: _count(platform, m, AIR) for m in models}
        traffic = {m: _count(platform, m, TRAFFIC) for m in models}
        # The seeded points and the one the entity's creation wrote (now), in every table.
        assert traffic == air == {Point: 17, RollupMinute: 17, RollupHour: 9, RollupDay: 5}
        report = maintain(platform)
        # Two old days of traffic: 4 points and 4 minute rollups each; the hour rollups are kept (730 days).
        assert (report.rows_deleted, report.hour_rows_deleted) == (16, 0)
        assert {m: _count(platform, m, TRAFFIC) for m in models} == {
            Point: 9,
            RollupMinute: 9,
            RollupHour: 9,
            RollupDay: 5,
        }
        # Air quality (90 days) is untouched.
        assert {m: _count(platform, m, AIR) for m in models} == air
        with platform.uow() as uow:
            oldest = TODAY - timedelta(days=40)
            # The hour rollups still answer an hourly query over the days whose points are gone.
            hourly = query(uow.session, TRAFFIC, oldest, oldest + timedelta(days=1), "hour", "avg")
            raw = query(uow.session, TRAFFIC, oldest, oldest + timedelta(days=1), "minute", "count")
            after = uow.session.scalars(
                select(AuditRecord.after).where(AuditRecord.action == "timeseries.retention")
            ).one()
        assert hourly == [(oldest + timedelta(hours=6), 6.0), (oldest + timedelta(hours=7), 7.0)]
        assert raw == []
        assert after is not None and after["series"] == {TRAFFIC: 16}
        assert maintain(platform).rows_deleted == 0
    finally:
        platform.close()


def test_a_shorter_hour_tier_deletes_the_old_hour_rollups_too(tmp_path: Path, url: str) -> None:
    _seed(tmp_path, url)
    platform = _platform(tmp_path, url)
    try:
        with platform.uow() as uow:
            retention.set_policy(
                uow, actor="admin", device_type="TrafficFlowObserved", raw_days=2, hour_days=10
            )
        report = maintain(platform)
        # Raw: three old days (40, 31, 5) of 8 rows; hour: two old days (40, 31) of 2 hour buckets.
        assert (report.rows_deleted, report.hour_rows_deleted) == (24, 4)
        assert (_count(platform, Point, TRAFFIC), _count(platform, RollupHour, TRAFFIC)) == (5, 5)
        assert _count(platform, RollupDay, TRAFFIC) == 5  # day rollups are kept for ever
        assert _count(platform, Point, AIR) == 17
    finally:
        platform.close()
