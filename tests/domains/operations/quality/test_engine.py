"""The quality engine: completeness, staleness, flat lines, out-of-range share, score and verdict."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.domains.operations.quality.engine import Thresholds, assess, longest_flat_run

NOW = 1_000_000.0
HOUR = 3600.0


def regular(n: int, interval: float = 300.0, *, end: float = NOW) -> np.ndarray:
    """Return n instants every interval, the last one at end."""
    return end - interval * np.arange(n)[::-1]


def test_perfect_regular_series_is_complete_fresh_and_usable() -> None:
    at = regular(12)
    values = np.sin(at / 1000.0) * 10 + 50
    q = assess(at, values, now=NOW, window_seconds=HOUR, interval_seconds=300, valid_min=0, valid_max=500)
    assert (q.received, q.expected, q.completeness) == (12, 12, 1.0)
    assert q.staleness_seconds == 0.0
    assert not q.flat_line
    assert q.out_of_range == 0.0
    assert q.score == 1.0
    assert q.usable


def test_missing_half_the_readings_is_not_usable() -> None:
    at = regular(12)[::2]
    q = assess(at, at * 0.001, now=NOW, window_seconds=HOUR, interval_seconds=300)
    assert q.completeness == pytest.approx(0.5)
    assert not q.usable
    assert q.score == pytest.approx(0.5)


def test_stale_series_counts_seconds_since_last_reading() -> None:
    at = regular(12, end=NOW - 1500)  # 12 readings, then 25 minutes of silence
    q = assess(at, at * 0.01, now=NOW, window_seconds=2 * HOUR, interval_seconds=300)
    assert q.staleness_seconds == 1500
    assert not q.usable  # 1500 s > 3 intervals of 300 s
    fresh = assess(at, at * 0.01, now=NOW - 1200, window_seconds=2 * HOUR, interval_seconds=300)
    assert fresh.staleness_seconds == 300 and fresh.usable is False  # only 11 of 24 expected


def test_empty_window_is_stale_by_at_least_the_window() -> None:
    q = assess(np.array([]), np.array([]), now=NOW, window_seconds=HOUR, interval_seconds=60)
    assert (q.received, q.completeness, q.staleness_seconds, q.score, q.usable) == (0, 0.0, HOUR, 0.0, False)


def test_flat_line_flagged_from_the_threshold_in_intervals() -> None:
    at = regular(24)
    values = np.arange(24, dtype=float)
    values[5:18] = 7.0  # 13 equal readings: 12 intervals of 300 s
    q = assess(at, values, now=NOW, window_seconds=2 * HOUR, interval_seconds=300)
    assert q.flat_seconds == 12 * 300
    assert q.flat_line and not q.usable
    shorter = values.copy()
    shorter[17] = 99.0  # 12 equal readings: 11 intervals
    q2 = assess(at, shorter, now=NOW, window_seconds=2 * HOUR, interval_seconds=300)
    assert q2.flat_seconds == 11 * 300 and not q2.flat_line and q2.usable


def test_flat_epsilon_tolerates_quantisation_noise() -> None:
    at = regular(24)
    values = 5.0 + np.tile([0.0, 0.01], 12)
    strict = assess(at, values, now=NOW, window_seconds=2 * HOUR, interval_seconds=300)
    loose = assess(
        at,
        values,
        now=NOW,
        window_seconds=2 * HOUR,
        interval_seconds=300,
        thresholds=Thresholds(flat_epsilon=0.05),
    )
    assert not strict.flat_line and loose.flat_line


def test_out_of_range_share_and_nan() -> None:
    at = regular(10)
    values = np.array([1, 2, 3, -1, 5, 600, 7, np.nan, 9, 10], dtype=float)
    q = assess(at, values, now=NOW, window_seconds=3000, interval_seconds=300, valid_min=0, valid_max=500)
    assert q.out_of_range == pytest.approx(0.3)
    assert not q.usable
    assert q.score == pytest.approx(0.7)


def test_readings_outside_the_window_and_resent_instants_are_ignored() -> None:
    at = np.concatenate((regular(12), [NOW + 10, NOW - 2 * HOUR, NOW]))
    values = np.arange(at.size, dtype=float)
    q = assess(at, values, now=NOW, window_seconds=HOUR, interval_seconds=300)
    assert q.received == 12 and q.staleness_seconds == 0


def test_longest_flat_run_of_few_points() -> None:
    assert longest_flat_run(np.array([1.0]), np.array([3.0]), 0.0) == 0.0
    assert longest_flat_run(np.array([0.0, 10.0, 20.0]), np.array([1.0, 1.0, 2.0]), 0.0) == 10.0


def test_invalid_interval_is_refused() -> None:
    with pytest.raises(ValueError):
        assess(np.array([1.0]), np.array([1.0]), now=NOW, window_seconds=HOUR, interval_seconds=0)


series = st.lists(
    st.tuples(st.floats(-7200, 100, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False)), max_size=80
)


@settings(max_examples=150, deadline=None)
@given(series, st.sampled_from([10.0, 60.0, 300.0, 900.0]), st.floats(600, 7200))
def test_properties_hold_for_any_readings(
    points: list[tuple[float, float]], interval: float, window: float
) -> None:
    at = np.array([NOW + p[0] for p in points], dtype=float)
    values = np.array([p[1] for p in points], dtype=float)
    q = assess(
        at, values, now=NOW, window_seconds=window, interval_seconds=interval, valid_min=0, valid_max=1e5
    )
    assert 0.0 <= q.completeness <= 1.0
    assert 0.0 <= q.score <= 1.0
    assert 0.0 <= q.out_of_range <= 1.0
    assert 0.0 <= q.staleness_seconds <= window
    assert 0.0 <= q.flat_seconds < window
    assert q.received <= len(points)
    if q.usable:
        assert q.completeness >= 0.8 and q.score > 0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200), st.sampled_from([1.0, 60.0, 300.0]), st.floats(-50, 50))
def test_a_perfect_regular_series_is_fully_complete(n: int, interval: float, level: float) -> None:
    at = regular(n, interval)
    values = level + np.arange(n, dtype=np.float64) * 0.5
    q = assess(at, values, now=NOW, window_seconds=n * interval, interval_seconds=interval)
    assert q.completeness == 1.0 and q.received == n and q.staleness_seconds == 0.0
    assert q.flat_seconds == 0.0


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 100), st.integers(0, 99))
def test_dropping_readings_never_raises_completeness(n: int, drop: int) -> None:
    at = regular(n)
    full = assess(at, at, now=NOW, window_seconds=n * 300, interval_seconds=300)
    kept = np.delete(at, drop % n)
    fewer = assess(kept, kept, now=NOW, window_seconds=n * 300, interval_seconds=300)
    assert fewer.completeness < full.completeness
