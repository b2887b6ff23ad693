"""Fixtures of the time-series tests: registered series on the test platform, a recent base instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from thanglong.core.manifest import SeriesDef
from thanglong.core.platform import Platform
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
