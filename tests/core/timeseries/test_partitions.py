"""Daily partitions on PostgreSQL: made ahead, made by an append that needs one, safe under races."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.core.timeseries.conftest import TEMPERATURE, committing_platform
from thanglong.core import migrate
from thanglong.core.platform import Platform
from thanglong.core.timeseries import partitions, registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.maintenance import maintain
from thanglong.core.timeseries.models import PARTITIONED

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("THANGLONG_TEST_DATABASE_URL"),
        reason="partitions are PostgreSQL-only (SQLite: one table, deletes tested in test_retention)",
    ),
]

NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
TODAY = NOW.date()


def _days(platform: Platform) -> set[date]:
    with platform.engine.connect() as conn:
        per_table = partitions.partition_days(conn)
    assert per_table["core_ts_point"] == per_table["core_ts_rollup_minute"]
    return per_table["core_ts_point"]


@pytest.fixture
def pg(tmp_path: Path, committing_url: str) -> Platform:
    """A kernel-only platform on its own PostgreSQL database, with the test series registered."""
    platform = committing_platform(tmp_path, committing_url, NOW, timeseries_partitions_ahead_days=3)
    with platform.uow() as uow:
        registry.register(uow, "core", TEMPERATURE)
        uow.commit()
    return platform


def test_maintenance_makes_partitions_ahead_once(pg: Platform) -> None:
    try:
        first = maintain(pg)
        expected = {TODAY + timedelta(days=d) for d in range(-1, 4)}
        assert _days(pg) == expected
        assert sorted(first.partitions_created) == sorted(
            partitions.partition_name(table, day) for day in expected for table in PARTITIONED
        )
        assert maintain(pg).partitions_created == []
        with pg.engine.connect() as conn:
            indexes = {
                row.indexname: row.indexdef
                for row in conn.execute(
                    text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t"),
                    {"t": partitions.partition_name("core_ts_point", TODAY)},
                )
            }
            kind = conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'core_ts_point'")).scalar()
        assert kind == "p"  # natively partitioned
        # The parent's BRIN index on time and its primary key are inherited by every partition.
        assert any("USING brin (at)" in d for d in indexes.values())
        assert any("(series_id, at)" in d and "UNIQUE" in d for d in indexes.values())
        # The partitions are not model differences: `thanglong db check` stays clean.
        assert migrate.pending_model_changes(pg.engine) == []
    finally:
        pg.close()


def test_an_append_makes_the_partition_it_needs_within_its_transaction(pg: Platform) -> None:
    far = NOW + timedelta(days=40)
    try:
        with pg.uow() as uow:
            append(uow, [(TEMPERATURE.name, far, 1.0)])
            # Rolled back: the partition made for it goes with it, and is not remembered as existing.
        assert far.date() not in _days(pg)
        with pg.uow() as uow:
            assert append(uow, [(TEMPERATURE.name, far, 2.0)]).inserted == 1
            uow.commit()
        assert far.date() in _days(pg)
        with pg.uow() as uow:
            assert append(uow, [(TEMPERATURE.name, far + timedelta(seconds=1), 3.0)]).inserted == 1
            uow.commit()
    finally:
        pg.close()


def test_concurrent_appends_to_a_new_day_both_succeed(
    tmp_path: Path, pg: Platform, committing_url: str
) -> None:
    day = NOW - timedelta(days=20)
    other = committing_platform(tmp_path, committing_url, NOW)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(platform: Platform, offset: int) -> None:
        try:
            with platform.uow() as uow:
                barrier.wait(timeout=10)
                append(
                    uow,
                    [(TEMPERATURE.name, day + timedelta(seconds=offset + s), 1.0) for s in range(0, 100, 2)],
                )
                uow.commit()
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p, i)) for i, p in enumerate((pg, other))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert day.date() in _days(pg)
        with pg.engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM core_ts_point")).scalar()
            hour = conn.execute(text("SELECT sum(count) FROM core_ts_rollup_hour")).scalar()
        assert count == hour == 100
    finally:
        pg.close()
        other.close()


def test_drop_before_drops_whole_days_only(pg: Platform) -> None:
    try:
        partitions.make_range(pg.engine, TODAY - timedelta(days=5), TODAY)
        horizon = (
            datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC) - timedelta(days=3) + timedelta(hours=6)
        )
        dropped = partitions.drop_before(pg.engine, horizon)
        # Days -5 and -4 end before the horizon (06:00 on day -3); day -3 holds points after it and stays.
        assert dropped == [
            partitions.partition_name(table, TODAY - timedelta(days=d))
            for d in (5, 4)
            for table in PARTITIONED
        ]
        assert _days(pg) == {TODAY - timedelta(days=d) for d in range(4)}
    finally:
        pg.close()
