"""Appends: idempotent on (series, instant), rollups counting only stored points, bad points refused."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import AppendResult, append
from thanglong.core.timeseries.models import Point, Rollup, RollupDay, RollupHour, RollupMinute
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
