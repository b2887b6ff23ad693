"""Concurrent appends on PostgreSQL: the same points sent twice at once are stored and counted once."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.core.timeseries.conftest import (
    HUMIDITY,
    TEMPERATURE,
    assert_rollups_match_points,
    committing_platform,
)
from thanglong.core.platform import Platform
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import AppendResult, Sample, append

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("THANGLONG_TEST_DATABASE_URL"),
        reason="concurrent writers need PostgreSQL (SQLite has one writer at a time)",
    ),
]

NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def _run_together(platforms: list[Platform], batches: list[list[Sample]]) -> list[AppendResult]:
    """Append each batch from its own platform in its own thread, all released at once; commit each."""
    barrier = threading.Barrier(len(batches))
    results: list[AppendResult | None] = [None] * len(batches)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            with platforms[index].uow() as uow:
                barrier.wait(timeout=10)
                results[index] = append(uow, batches[index])
                uow.commit()
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return [r for r in results if r is not None]


@pytest.fixture
def writers(tmp_path: Path, committing_url: str) -> list[Platform]:
    """Two kernel-only platforms (two connection pools) on one database, with two series registered."""
    platforms = [committing_platform(tmp_path, committing_url, NOW) for _ in range(2)]
    with platforms[0].uow() as uow:
        registry.register(uow, "core", TEMPERATURE)
        registry.register(uow, "core", HUMIDITY)
        uow.commit()
    yield platforms
    for platform in platforms:
        platform.close()


def _check(platform: Platform, expected_points: int) -> None:
    with platform.uow() as uow:
        assert assert_rollups_match_points(uow.session) == expected_points


@pytest.mark.parametrize("rounds", [3])
def test_the_same_batch_sent_twice_at_once_is_stored_once(writers: list[Platform], rounds: int) -> None:
    start = NOW - timedelta(hours=2)
    for round_ in range(rounds):
        at = start + timedelta(minutes=10 * round_)
        batch = [
            (name, at + timedelta(seconds=7 * i), float(i))
            for i in range(300)
            for name in (TEMPERATURE.name, HUMIDITY.name)
        ]
        # The second writer gets the series in the other order: series are locked in one order anyway.
        results = _run_together(writers, [batch, batch[::-1]])
        assert sorted(r.inserted for r in results) == [0, 600]
        assert sorted(r.duplicates for r in results) == [0, 600]
        _check(writers[0], 600 * (round_ + 1))


def test_overlapping_batches_at_once_store_their_union(writers: list[Platform]) -> None:
    at = NOW - timedelta(hours=1)

    def points(first: int, last: int) -> Callable[[str], list[Sample]]:
        return lambda name: [(name, at + timedelta(seconds=s), float(s % 13)) for s in range(first, last)]

    one = points(0, 400)(TEMPERATURE.name) + points(0, 100)(HUMIDITY.name)
    two = points(200, 600)(TEMPERATURE.name) + points(50, 150)(HUMIDITY.name)
    results = _run_together(writers, [one, two])
    assert sum(r.inserted for r in results) == 600 + 150
    assert sum(r.duplicates for r in results) == 200 + 50
    _check(writers[0], 750)
    with writers[0].engine.connect() as conn:
        minutes = conn.execute(text("SELECT sum(count) FROM core_ts_rollup_minute")).scalar()
    assert minutes == 750
