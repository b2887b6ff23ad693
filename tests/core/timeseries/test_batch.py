"""Batches as numpy columns: checks, first value wins, sorting, lookup ranges and rollup aggregates."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries.batch import (
    RANGE_GAP_US,
    Batch,
    aggregate,
    from_micros,
    prepare,
    ranges,
    to_micros,
)
from thanglong.core.timeseries.buckets import DAY, HOUR, MINUTE, floor

IDS = {"a": 7, "b": 3}
T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
HANOI = timezone(timedelta(hours=7))


def _columns(batch: Batch) -> list[tuple[int, datetime, float]]:
    return [
        (s, from_micros(t), v)
        for s, t, v in zip(batch.series.tolist(), batch.at.tolist(), batch.value.tolist(), strict=True)
    ]


def test_microseconds_are_postgresql_s_and_exact() -> None:
    assert to_micros(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert to_micros(datetime(2000, 1, 1, 7, tzinfo=HANOI)) == 0
    at = datetime(2026, 11, 28, 8, 0, 0, 123457, tzinfo=UTC)
    assert from_micros(to_micros(at)) == at
    assert to_micros(datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)) == -1


def test_a_batch_is_sorted_by_series_then_instant_and_the_first_value_of_a_key_wins() -> None:
    rows = [
        ("a", T0 + timedelta(seconds=2), 1.0),
        ("b", T0, 2.0),
        ("a", T0, 3.0),
        # The same instant as the first row, written in Hanoi time: a repeat, so its value is ignored.
        ("a", (T0 + timedelta(seconds=2)).astimezone(HANOI), 99.0),
        ("b", T0, 98.0),
    ]
    batch = prepare(rows, IDS, None)
    assert _columns(batch) == [(3, T0, 2.0), (7, T0, 3.0), (7, T0 + timedelta(seconds=2), 1.0)]
    assert (batch.received, batch.expired, len(batch)) == (5, 0, 3)
    assert batch.days() == {T0.date()}


def test_points_before_the_horizon_are_counted_as_expired() -> None:
    rows = [("a", T0 - timedelta(microseconds=1), 1.0), ("a", T0, 2.0), ("b", T0 - timedelta(days=9), 3.0)]
    batch = prepare(rows, IDS, T0)
    assert _columns(batch) == [(7, T0, 2.0)]
    assert (batch.received, batch.expired) == (3, 2)


@pytest.mark.parametrize(
    ("at", "value", "problem"),
    [
        (T0.replace(tzinfo=None), 1.0, "naive instant"),
        ("2026-11-28T08:00:00+00:00", 1.0, "not a datetime"),
        (T0, math.nan, "not finite"),
        (T0, -math.inf, "not finite"),
        (T0, "many", "not a number"),
        (T0, None, "not a number"),
    ],
)
def test_a_bad_point_refuses_the_batch_and_names_its_series(at: object, value: object, problem: str) -> None:
    rows = [("a", T0, 1.0), ("b", at, value)]
    with pytest.raises(InvalidInput) as caught:
        prepare(rows, IDS, None)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_point"
    assert problem in caught.value.message_en
    assert "'b'" in caught.value.message_en


def test_values_that_read_as_numbers_are_stored_as_floats() -> None:
    batch = prepare([("a", T0, 3), ("a", T0 + timedelta(seconds=1), True)], IDS, None)  # type: ignore[list-item]
    assert batch.value.tolist() == [3.0, 1.0]


def test_ranges_split_a_series_where_its_points_are_far_apart() -> None:
    late = T0 - timedelta(days=30)
    rows = [
        ("a", T0, 1.0),
        ("a", T0 + timedelta(minutes=50), 1.0),
        ("a", T0 + timedelta(minutes=100), 1.0),
        ("a", late, 1.0),
        ("b", T0, 1.0),
    ]
    series, low, high = ranges(prepare(rows, IDS, None))
    assert series.tolist() == [3, 7, 7]
    assert [from_micros(v) for v in low.tolist()] == [T0, late, T0]
    assert [from_micros(v) for v in high.tolist()] == [T0, late, T0 + timedelta(minutes=100)]


point_lists = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.integers(0, 3 * 86400 * 1_000_000),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 3)),
    ),
    max_size=80,
)


@given(points=point_lists)
def test_every_point_lies_in_one_range_of_its_series(points: list[tuple[str, int, float]]) -> None:
    batch = prepare([(n, T0 + timedelta(microseconds=us), v) for n, us, v in points], IDS, None)
    series, low, high = ranges(batch)
    assert np.all(low <= high)
    for s, t in zip(batch.series.tolist(), batch.at.tolist(), strict=True):
        assert int(np.sum((series == s) & (low <= t) & (t <= high))) == 1
    # Points of one series in one range are never more than the gap apart.
    for s, lo, hi in zip(series.tolist(), low.tolist(), high.tolist(), strict=True):
        inside = np.sort(batch.at[(batch.series == s) & (batch.at >= lo) & (batch.at <= hi)])
        assert np.all(np.diff(inside) <= RANGE_GAP_US)


@given(points=point_lists, width=st.sampled_from([MINUTE, HOUR, DAY]))
def test_aggregates_are_those_of_a_brute_force_grouping(
    points: list[tuple[str, int, float]], width: int
) -> None:
    rows = [(n, T0 + timedelta(microseconds=us), v) for n, us, v in points]
    batch = prepare(rows, IDS, None)
    kept: dict[tuple[int, datetime], float] = {}
    for name, at, value in rows:
        kept.setdefault((IDS[name], at), value)
    groups: dict[tuple[int, datetime], list[float]] = defaultdict(list)
    for (sid, at), value in kept.items():
        groups[(sid, floor(at, width))].append(value)
    agg = aggregate(batch, width)
    found = {
        (s, from_micros(b)): (c, total, low, high)
        for s, b, c, total, low, high in zip(
            agg.series.tolist(),
            agg.bucket.tolist(),
            agg.count.tolist(),
            agg.total.tolist(),
            agg.low.tolist(),
            agg.high.tolist(),
            strict=True,
        )
    }
    assert found.keys() == groups.keys()
    for key, values in groups.items():
        count, total, low, high = found[key]
        assert (count, low, high) == (len(values), min(values), max(values))
        assert math.isclose(total, sum(values), rel_tol=1e-12, abs_tol=1e-9)


def test_stored_keys_are_left_out_and_stored_buckets_split_off() -> None:
    rows = [("a", T0, 1.0), ("a", T0 + timedelta(seconds=30), 2.0), ("a", T0 + timedelta(minutes=1), 4.0)]
    batch = prepare(rows, IDS, None)
    # Keys are (series, instant) pairs: series 3 at 08:00:30 says nothing about series 7 then.
    new = batch.without(np.array([7, 3]), np.array([to_micros(T0), to_micros(T0 + timedelta(seconds=30))]))
    assert _columns(new) == [(7, T0 + timedelta(seconds=30), 2.0), (7, T0 + timedelta(minutes=1), 4.0)]
    fresh, stored = aggregate(new, MINUTE).split(np.array([7]), np.array([to_micros(T0)]))
    assert [from_micros(b) for b in fresh.bucket.tolist()] == [T0 + timedelta(minutes=1)]
    assert [from_micros(b) for b in stored.bucket.tolist()] == [T0]
    assert (stored.count.tolist(), stored.total.tolist()) == ([1], [2.0])
