"""Bucketed queries: the same answer as a brute-force pass over the points, served from the rollups."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.buckets import RAW, floor, parse_bucket
from thanglong.core.timeseries.models import Point
from thanglong.core.timeseries.query import frames, latest, query

SPAN = 3 * 86400  # seconds of data after the base
WIDTHS = ["raw", "1s", "45s", "minute", "90s", "15min", "hour", "2h", "5400s", "day", "2d", "week"]
AGGS = ["avg", "sum", "min", "max", "count"]


def brute_force(
    points: list[tuple[str, datetime, float]],
    name: str,
    start: datetime,
    end: datetime,
    bucket: str,
    agg: str,
) -> list[tuple[datetime, float]]:
    """Aggregate the stored points (first value of each instant) bucket by bucket, the obvious way."""
    stored: dict[datetime, float] = {}
    for series, at, value in points:
        if series == name:
            stored.setdefault(at, value)
    width = parse_bucket(bucket)
    groups: dict[datetime, list[float]] = defaultdict(list)
    for at, value in stored.items():
        if start <= at < end:
            groups[at if width == RAW else floor(at, width)].append(value)
    compute = {"avg": lambda v: sum(v) / len(v), "sum": sum, "min": min, "max": max, "count": len}[agg]
    return [(key, float(compute(values))) for key, values in sorted(groups.items())]


def _same(found: list[tuple[datetime, float]], expected: list[tuple[datetime, float]]) -> bool:
    return [at for at, _ in found] == [at for at, _ in expected] and all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6) for (_, a), (_, b) in zip(found, expected, strict=True)
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[list[tuple[int, int, float]]], int, int, str, str]:
    """Draw batches of (series, microsecond offset, value), a query window, a bucket and an aggregate."""
    # Dense data (two minutes) puts many points in one bucket; sparse data (three days) spreads them out.
    span = draw(st.sampled_from([120, 7200, SPAN]))
    point = st.tuples(
        st.integers(0, 1),
        st.one_of(st.integers(0, span).map(lambda s: s * 1_000_000), st.integers(0, span * 1_000_000)),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 3)),
    )
    batches = draw(st.lists(st.lists(point, max_size=60), min_size=1, max_size=3))
    # Some points are sent again, as a device retrying would.
    flat = [p for batch in batches for p in batch]
    if flat:
        batches.append(draw(st.lists(st.sampled_from(flat), max_size=10)))
    window = st.integers(-3600, span + 3600)
    lo, hi = sorted(draw(st.tuples(window, window)))
    return batches, lo, hi + 1, draw(st.sampled_from(WIDTHS)), draw(st.sampled_from(AGGS))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios())
def test_queries_agree_with_brute_force_on_the_points(
    platform: Platform,
    series: list[str],
    scenario: tuple[list[list[tuple[int, int, float]]], int, int, str, str],
) -> None:
    batches, lo, hi, bucket, agg = scenario
    base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=4)
    start, end = base + timedelta(seconds=lo), base + timedelta(seconds=hi)
    sent = [[(series[i], base + timedelta(microseconds=us), v) for i, us, v in batch] for batch in batches]
    with platform.uow() as uow:  # never committed: each example leaves nothing behind
        for batch in sent:
            append(uow, batch)
        everything = [p for batch in sent for p in batch]
        for name in series:
            found = query(uow.session, name, start, end, bucket, agg)
            expected = brute_force(everything, name, start, end, bucket, agg)
            assert _same(found, expected), (name, bucket, agg, found[:5], expected[:5])


def test_aligned_buckets_come_from_the_rollups_not_the_points(
    platform: Platform, series: list[str], base: datetime
) -> None:
    name = series[0]
    points = [(name, base + timedelta(minutes=m), float(m)) for m in range(0, 180, 7)]
    with platform.uow() as uow:
        append(uow, points)
        hourly = query(uow.session, name, base, base + timedelta(hours=3), "hour", "sum")
        # With the points gone, the hourly answer is unchanged: it is read from the hour rollup.
        sid = registry.get(uow.session, name).id
        uow.session.execute(delete(Point).where(Point.series_id == sid))
        assert query(uow.session, name, base, base + timedelta(hours=3), "hour", "sum") == hourly
        assert query(uow.session, name, base, base + timedelta(hours=3), "raw") == []
    assert hourly == [
        (base, float(sum(range(0, 60, 7)))),
        (base + timedelta(hours=1), float(sum(range(63, 120, 7)))),
        (base + timedelta(hours=2), float(sum(range(126, 180, 7)))),
    ]


def test_frames_of_several_series_as_columns(platform: Platform, series: list[str], base: datetime) -> None:
    temperature, humidity = series
    with platform.uow() as uow:
        append(uow, [(temperature, base + timedelta(minutes=m), 20.0 + m) for m in range(3)])
        found = frames(uow.session, series, base, base + timedelta(days=1), "minute")
    assert len(found[humidity]) == 0
    frame = found[temperature]
    assert frame.start.dtype == np.dtype("datetime64[us]")
    assert frame.starts() == [base, base + timedelta(minutes=1), base + timedelta(minutes=2)]
    assert frame.values("avg").tolist() == [20.0, 21.0, 22.0]
    assert frame.values("count").tolist() == [1.0, 1.0, 1.0]
    assert [b.max for b in frame.buckets()] == [20.0, 21.0, 22.0]


def test_latest_point_of_each_series(platform: Platform, series: list[str], base: datetime) -> None:
    temperature, humidity = series
    with platform.uow() as uow:
        append(uow, [(temperature, base + timedelta(days=1, hours=h), float(h)) for h in (3, 1, 2)])
        found = latest(uow.session, [temperature, humidity, "core.never.registered"])
    assert found == {temperature: (base + timedelta(days=1, hours=3), 3.0)}


def test_bad_queries_are_refused(platform: Platform, series: list[str], base: datetime) -> None:
    name = series[0]
    with platform.uow() as uow:
        append(uow, [(name, base + timedelta(seconds=s), 1.0) for s in range(20)])
        session = uow.session
        cases = [
            (lambda: query(session, name, base, base, "hour"), "invalid_range"),
            (lambda: query(session, name, base.replace(tzinfo=None), base + timedelta(1)), "invalid_range"),
            (lambda: query(session, name, base, base + timedelta(1), "fortnight"), "invalid_bucket"),
            (lambda: query(session, name, base, base + timedelta(1), "hour", "median"), "invalid_aggregate"),
            (lambda: query(session, name, base, base + timedelta(1), "raw", limit=10), "too_many_points"),
            (lambda: query(session, name, base, base + timedelta(1), "1s", limit=10), "too_many_points"),
        ]
        for call, code in cases:
            with pytest.raises(InvalidInput) as caught:
                call()
            assert caught.value.code == code
        assert len(query(session, name, base, base + timedelta(1), "raw", limit=20)) == 20
        with pytest.raises(registry.UnknownSeries):
            query(session, "core.never.registered", base, base + timedelta(1))
