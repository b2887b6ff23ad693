"""Fixtures of the time-series tests: registered series on the test platform, a recent base instant."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.manifest import SeriesDef
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.buckets import floor
from thanglong.core.timeseries.models import ROLLUPS, Point

TEMPERATURE = SeriesDef("core.test.temperature", "°C", "Nhiệt độ thử", "Test temperature")
HUMIDITY = SeriesDef("core.test.humidity", "%", "Độ ẩm thử", "Test humidity", labels=(("site", "hoan_kiem"),))


@pytest.fixture
def base() -> datetime:
    """Midnight UTC three days ago: recent enough for the retention, whole days behind it."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=3)


@pytest.fixture
def series(platform: Platform) -> list[str]:
    """Register two test series (in the test's transaction) and return their names."""
    with platform.uow() as uow:
        for definition in (TEMPERATURE, HUMIDITY):
            registry.register(uow, "core", definition)
        uow.commit()
    return [TEMPERATURE.name, HUMIDITY.name]


@pytest.fixture
def committing_url(tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own, whose commits are real (partition DDL, retention, concurrency)."""
    url = create_database(tmp_path, "ts")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    yield url
    drop_database(url)


def committing_platform(tmp_path: Path, url: str, now: datetime, **settings: object) -> Platform:
    """Build a kernel-only platform on a committing database with a fixed clock."""
    return build_platform(make_settings(tmp_path, url, domains=[], **settings), clock=lambda: now)


def assert_rollups_match_points(session: Session) -> int:
    """Check every rollup row against a recomputation from the stored points; return how many points."""
    points = session.execute(select(Point.series_id, Point.at, Point.value)).all()
    for width, model in ROLLUPS.items():
        expected: dict[tuple[int, datetime], list[float]] = defaultdict(list)
        for sid, at, value in points:
            expected[(sid, floor(at, width))].append(value)
        rows = session.execute(
            select(model.series_id, model.bucket, model.count, model.sum, model.min, model.max)
        ).all()
        found = {(sid, bucket): (count, total, low, high) for sid, bucket, count, total, low, high in rows}
        assert found.keys() == expected.keys(), width
        for key, values in expected.items():
            count, total, low, high = found[key]
            assert (count, low, high) == (len(values), min(values), max(values)), (width, key)
            # Sums are added in another order than here: equal up to rounding.
            assert math.isclose(total, math.fsum(values), rel_tol=1e-12, abs_tol=1e-9), (width, key)
    return len(points)
