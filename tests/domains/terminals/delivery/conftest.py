"""Fixtures of the delivery tests: a platform on a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from thanglong.core.platform import Platform

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(platform: Platform) -> Iterator[Clock]:
    """Set the platform's clock to a fixed instant the test can move."""
    fixed = Clock(NOW)
    platform.clock = fixed
    yield fixed
