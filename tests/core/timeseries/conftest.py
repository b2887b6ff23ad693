"""Fixtures of the time-series tests: registered series on the test platform, a recent base instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.manifest import SeriesDef
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.timeseries import registry

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
