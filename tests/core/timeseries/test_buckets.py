"""Bucket widths, alignment on Hanoi midnight, the plan over rollups and the merging of partials."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.core.clock import HANOI
from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries.buckets import (
    DAY,
    HOUR,
    MINUTE,
    RAW,
    Bucket,
    ceil,
    floor,
    fold,
    parse_bucket,
    parse_instant,
    plan,
)


@pytest.mark.parametrize(
    ("spec", "seconds"),
    [
        ("raw", RAW),
        ("minute", 60),
        ("hour", 3600),
        ("day", 86400),
        ("week", 7 * 86400),
        ("15min", 900),
        ("15 minutes", 900),
        ("6h", 6 * 3600),
        ("2 hours", 7200),
        ("7d", 7 * 86400),
        ("90s", 90),
        ("300", 300),
        (45, 45),
        (timedelta(minutes=5), 300),
    ],
)
def test_parse_bucket(spec: str | int | timedelta, seconds: int) -> None:
    assert parse_bucket(spec) == seconds


@pytest.mark.parametrize(
    "spec", ["", "15m", "month", "0h", "-1", 0, 400 * 86400, timedelta(seconds=0.5), True]
)
def test_parse_bucket_refuses(spec: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_bucket(spec)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_bucket"
    assert "Khoảng gộp" in caught.value.message_vi


def test_days_start_at_midnight_in_hanoi_and_weeks_on_monday() -> None:
    evening = datetime(2026, 11, 28, 16, 59, tzinfo=UTC)  # 23:59 on Saturday in Hanoi
    assert floor(evening, DAY) == datetime(2026, 11, 28, 0, 0, tzinfo=HANOI)
    assert floor(evening + timedelta(minutes=1), DAY) == datetime(2026, 11, 29, 0, 0, tzinfo=HANOI)
    assert floor(evening, 7 * DAY) == datetime(2026, 11, 23, 0, 0, tzinfo=HANOI)  # a Monday
    assert floor(evening, 6 * HOUR) == datetime(2026, 11, 28, 18, 0, tzinfo=HANOI)
    assert floor(datetime(2026, 11, 28, 16, 59, 30, tzinfo=UTC), MINUTE) == evening
    assert ceil(evening, HOUR) == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    assert ceil(evening, MINUTE) == evening


def test_plan_uses_the_coarsest_rollup_and_finer_ones_at_the_edges() -> None:
    start = datetime(2026, 11, 1, 16, 59, 30, tzinfo=UTC)
    end = datetime(2026, 11, 4, 17, 1, 15, tzinfo=UTC)
    pieces = plan(start, end, DAY)
    by_source = {piece.source: piece for piece in pieces}
    # The whole Hanoi days in the middle come from the day rollup, the minute on each side from minutes,
    # and the half minute before from the points.
    assert by_source[DAY].start == datetime(2026, 11, 2, 0, 0, tzinfo=HANOI)
    assert by_source[DAY].end == datetime(2026, 11, 5, 0, 0, tzinfo=HANOI)
    assert sorted(piece.source for piece in pieces) == [RAW, RAW, MINUTE, DAY]
    assert plan(start, end, 90) == [type(pieces[0])(RAW, start, end)]


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
        max_value=datetime(2027, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    span=st.integers(min_value=1, max_value=10 * DAY),
    width=st.sampled_from([RAW, 1, 30, 60, 90, 600, 3600, 5400, 7200, 86400, 3 * 86400]),
)
def test_plan_covers_the_range_exactly_with_aligned_pieces(start: datetime, span: int, width: int) -> None:
    end = start + timedelta(seconds=span, microseconds=start.microsecond % 7)
    pieces = sorted(plan(start, end, width), key=lambda p: p.start)
    assert pieces[0].start == start and pieces[-1].end == end
    for before, after in itertools.pairwise(pieces):
        assert before.end == after.start
    for piece in pieces:
        assert piece.start < piece.end
        if piece.source != RAW:
            assert width % piece.source == 0
            assert floor(piece.start, piece.source) == piece.start
            assert floor(piece.end, piece.source) == piece.end


def test_fold_merges_partials_into_buckets_in_time_order() -> None:
    t = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    partials = [
        (t + timedelta(minutes=70), 1, 5.0, 5.0, 5.0),
        (t, 2, 3.0, 1.0, 2.0),
        (t + timedelta(minutes=10), 3, 9.0, 0.5, 4.0),
    ]
    assert fold(partials, HOUR) == [
        Bucket(t, 5, 12.0, 0.5, 4.0),
        Bucket(t + timedelta(hours=1), 1, 5.0, 5.0, 5.0),
    ]
    bucket = fold(partials, HOUR)[0]
    assert [bucket.value(a) for a in ("avg", "sum", "min", "max", "count")] == [2.4, 12.0, 0.5, 4.0, 5.0]
    with pytest.raises(InvalidInput):
        bucket.value("median")


def test_parse_instant_reads_hanoi_time_without_an_offset() -> None:
    assert parse_instant("2026-11-28T08:00") == datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert parse_instant("2026-11-28") == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert parse_instant("2026-11-28T08:00Z") == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput) as caught:
        parse_instant("yesterday", "start")
    assert caught.value.details == {"field": "start"}
