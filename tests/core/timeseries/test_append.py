"""Appends: idempotent on (series, instant), rollups counting only stored points, bad points refused."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.core.timeseries.conftest import assert_rollups_match_points
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import AppendResult, append
from thanglong.core.timeseries.models import ROLLUPS, Point, Rollup, RollupDay, RollupHour, RollupMinute
from thanglong.core.uow import UnitOfWork


def _rollup(
    uow: UnitOfWork, model: type[Rollup], name: str
) -> list[tuple[datetime, int, float, float, float]]:
    sid = registry.get(uow.session, name).id
    rows = uow.session.scalars(select(model).where(model.series_id == sid).order_by(model.bucket))
    return [(r.bucket, r.count, r.sum, r.min, r.max) for r in rows]


def _points(uow: UnitOfWork, name: str) -> list[tuple[datetime, float]]:
    sid = registry.get(uow.session, name).id
    rows = uow.session.execute(select(Point.at, Point.value).where(Point.series_id == sid).order_by(Point.at))
    return [(at, value) for at, value in rows]


def test_rollups_hold_count_sum_min_max_of_each_minute_hour_and_day(
    platform: Platform, series: list[str], base: datetime
) -> None:
    name = series[0]
    t = base + timedelta(hours=5)
    points = [
        (name, t, 2.0),
        (name, t + timedelta(seconds=30), 4.0),
        (name, t + timedelta(minutes=1), -1.5),
        (name, t + timedelta(hours=1), 10.0),
    ]
    with platform.uow() as uow:
        assert append(uow, points) == AppendResult(received=4, inserted=4, duplicates=0, expired=0)
        assert _rollup(uow, RollupMinute, name) == [
            (t, 2, 6.0, 2.0, 4.0),
            (t + timedelta(minutes=1), 1, -1.5, -1.5, -1.5),
            (t + timedelta(hours=1), 1, 10.0, 10.0, 10.0),
        ]
        assert _rollup(uow, RollupHour, name) == [
            (t, 3, 4.5, -1.5, 4.0),
            (t + timedelta(hours=1), 1, 10.0, 10.0, 10.0),
        ]
        # base is midnight UTC, so 05:00 and 06:00 UTC fall on the Hanoi day that began at 17:00 UTC before.
        assert _rollup(uow, RollupDay, name) == [(base - timedelta(hours=7), 4, 14.5, -1.5, 10.0)]


def test_re_sent_points_are_ignored_and_not_counted_twice(
    platform: Platform, series: list[str], base: datetime
) -> None:
    name = series[0]
    t = base + timedelta(hours=1)
    first = [(name, t, 1.0), (name, t + timedelta(seconds=10), 3.0)]
    with platform.uow() as uow:
        append(uow, first)
        uow.commit()
    with platform.uow() as uow:
        # Same instants again, one with another value, plus one new point and a duplicate inside the batch.
        again = [
            (name, t, 100.0),
            (name, t + timedelta(seconds=10), 3.0),
            (name, t + timedelta(seconds=20), 5.0),
        ]
        result = append(uow, [*again, again[-1]])
        assert result == AppendResult(received=4, inserted=1, duplicates=3, expired=0)
        assert _points(uow, name) == [
            (t, 1.0),
            (t + timedelta(seconds=10), 3.0),
            (t + timedelta(seconds=20), 5.0),
        ]
        for model in (RollupMinute, RollupHour):
            assert _rollup(uow, model, name) == [(t, 3, 9.0, 1.0, 5.0)]


def test_points_of_several_series_in_one_batch(platform: Platform, series: list[str], base: datetime) -> None:
    t = base + timedelta(hours=2)
    with platform.uow() as uow:
        result = append(
            uow, [(series[0], t, 20.5), (series[1], t, 80.0), (series[1], t + timedelta(minutes=1), 82.0)]
        )
        assert result.inserted == 3
        assert _points(uow, series[0]) == [(t, 20.5)]
        assert [row[1:] for row in _rollup(uow, RollupHour, series[1])] == [(2, 162.0, 80.0, 82.0)]


def test_points_older_than_the_retention_are_not_stored(
    platform: Platform, series: list[str], base: datetime
) -> None:
    days = platform.settings.timeseries_retention_days
    old = platform.clock() - timedelta(days=days, minutes=1)
    with platform.uow() as uow:
        result = append(uow, [(series[0], old, 1.0), (series[0], base, 2.0)])
        assert result == AppendResult(received=2, inserted=1, duplicates=0, expired=1)
        assert _points(uow, series[0]) == [(base, 2.0)]


@pytest.mark.parametrize(
    ("at", "value", "problem"),
    [
        (datetime(2026, 11, 28, 8, 0), 1.0, "naive instant"),  # noqa: DTZ001 - the refused case
        (None, math.nan, "not finite"),
        (None, math.inf, "not finite"),
    ],
)
def test_bad_points_refuse_the_whole_batch(
    platform: Platform, series: list[str], base: datetime, at: datetime | None, value: float, problem: str
) -> None:
    with platform.uow() as uow:
        with pytest.raises(InvalidInput) as caught:
            append(uow, [(series[0], base, 1.0), (series[0], at or base + timedelta(seconds=1), value)])
        assert caught.value.code == "invalid_point"
        assert problem in caught.value.message_en
        assert _points(uow, series[0]) == []


def test_an_empty_batch_does_nothing(platform: Platform) -> None:
    with platform.uow() as uow:
        assert append(uow, []) == AppendResult(0, 0, 0, 0)


def _everything(uow: UnitOfWork) -> list[list[Any]]:
    """Every row of the points and the rollups, sorted."""
    tables: list[Any] = [Point, *ROLLUPS.values()]
    return [
        sorted(tuple(row) for row in uow.session.execute(select(*m.__table__.columns)).all()) for m in tables
    ]


def test_a_re_sent_batch_changes_nothing(platform: Platform, series: list[str], base: datetime) -> None:
    batch = [(name, base + timedelta(seconds=17 * i), float(i % 11)) for i in range(400) for name in series]
    with platform.uow() as uow:
        assert append(uow, batch).inserted == 800
        uow.commit()
    with platform.uow() as uow:
        before = _everything(uow)
        shuffled = random.Random(5).sample(batch, len(batch))
        assert append(uow, shuffled) == AppendResult(received=800, inserted=0, duplicates=800, expired=0)
        assert _everything(uow) == before
        assert assert_rollups_match_points(uow.session) == 800


def test_a_batch_that_completes_stored_buckets_adds_to_them(
    platform: Platform, series: list[str], base: datetime
) -> None:
    name = series[0]
    hanoi = timezone(timedelta(hours=7))
    with platform.uow() as uow:
        append(uow, [(name, base + timedelta(seconds=s), float(s)) for s in range(0, 90, 10)])
        uow.commit()
    with platform.uow() as uow:
        # The same minutes again (stored buckets get more points), given in Hanoi time, plus re-sends.
        again = [
            (name, (base + timedelta(seconds=s)).astimezone(hanoi), -float(s)) for s in range(5, 130, 10)
        ]
        result = append(uow, [*again, (name, base, 100.0), (name, base + timedelta(seconds=80), 100.0)])
        assert (result.inserted, result.duplicates) == (13, 2)
        assert _rollup(uow, RollupMinute, name) == [
            (base, 12, 150.0 - 180.0, -55.0, 50.0),
            (base + timedelta(minutes=1), 9, 210.0 - 540.0, -115.0, 80.0),
            (base + timedelta(minutes=2), 1, -125.0, -125.0, -125.0),
        ]
        assert assert_rollups_match_points(uow.session) == 22


@st.composite
def batches(draw: st.DrawFn) -> list[list[tuple[int, int, float, bool]]]:
    """Draw batches of (series, microsecond offset, value, in Hanoi time), some re-sent in part or whole."""
    span = draw(st.sampled_from([120, 7200, 3 * 86400]))
    point = st.tuples(
        st.integers(0, 1),
        st.one_of(st.integers(0, span).map(lambda s: s * 1_000_000), st.integers(0, span * 1_000_000)),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 3)),
        st.booleans(),
    )
    drawn = draw(st.lists(st.lists(point, max_size=60), min_size=1, max_size=4))
    flat = [p for batch in drawn for p in batch]
    if flat:
        drawn.append(draw(st.lists(st.sampled_from(flat), max_size=20)))
        drawn.append(draw(st.sampled_from(drawn)))
    return drawn


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=batches())
def test_rollups_equal_a_recomputation_from_the_points(
    platform: Platform, series: list[str], drawn: list[list[tuple[int, int, float, bool]]]
) -> None:
    base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=4)
    hanoi = timezone(timedelta(hours=7))
    stored: set[tuple[int, datetime]] = set()
    with platform.uow() as uow:  # never committed: each example leaves nothing behind
        for batch in drawn:
            rows = []
            for i, us, value, local in batch:
                at = base + timedelta(microseconds=us)
                rows.append((series[i], at.astimezone(hanoi) if local else at, value))
            new = {(i, base + timedelta(microseconds=us)) for i, us, _, _ in batch} - stored
            stored |= new
            result = append(uow, rows)
            assert (result.received, result.inserted) == (len(rows), len(new))
            assert result.duplicates == len(rows) - len(new)
        assert assert_rollups_match_points(uow.session) == len(stored)
