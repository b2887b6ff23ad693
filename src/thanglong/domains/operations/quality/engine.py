"""Data quality of one sensor series over a window: completeness, staleness, flat line, out of range.

Pure computation over numpy columns (instants as seconds, values as floats); no database. The thresholds
that turn the measures into a `usable` verdict are in `Thresholds`, documented in
docs/operations-quality.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Seconds = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Thresholds:
    """The limits of a usable series; every field is checked by `assess`."""

    # At least this share of the expected readings arrived in the window.
    min_completeness: float = 0.8
    # The last reading is at most this many expected intervals old.
    max_stale_intervals: float = 3.0
    # A run of readings without change lasting this many expected intervals is a flat line (stuck sensor).
    flat_intervals: float = 12.0
    # Two readings closer than this are "without change".
    flat_epsilon: float = 1e-9
    # At most this share of the window's readings lies outside the valid range.
    max_out_of_range: float = 0.1
    # A stuck sensor still counts this much in the score (its readings arrive, but say nothing).
    flat_factor: float = 0.5


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Quality:
    """The quality of one series at one instant, over the window that ends there."""

    received: int  # distinct instants in the window
    expected: int  # window length / expected interval (at least 1)
    completeness: float  # received / expected, at most 1
    # Seconds since the last reading; the window's length (a lower bound) when the window has none.
    staleness_seconds: float
    flat_seconds: float  # the longest run of readings without change, first to last reading
    flat_line: bool
    out_of_range: float  # share of the window's readings outside the valid range (0 without readings)
    score: float  # 0 (useless) to 1 (complete, fresh, moving, in range)
    usable: bool


def longest_flat_run(at: Seconds, values: Seconds, epsilon: float) -> float:
    """Return the duration of the longest run of consecutive readings that change by at most epsilon."""
    if at.size < 2:
        return 0.0
    # A break is a step that changes by more than epsilon; a run spans from one break to the next.
    moved = np.abs(np.diff(values)) > epsilon
    breaks = np.flatnonzero(moved)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [at.size - 1]))
    return float(np.max(at[ends] - at[starts]))


def assess(
    at: Seconds,
    values: Seconds,
    *,
    now: float,
    window_seconds: float,
    interval_seconds: float,
    valid_min: float | None = None,
    valid_max: float | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Quality:
    """Assess the readings of one series in the window (now − window, now] (later readings are ignored)."""
    if interval_seconds <= 0 or window_seconds <= 0:
        raise ValueError("interval and window must be positive")
    at = np.asarray(at, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(at, kind="stable")
    at, values = at[order], values[order]
    inside = (at > now - window_seconds) & (at <= now)
    at, values = at[inside], values[inside]
    # A re-sent instant is one reading: the time series keeps its first value.
    if at.size:
        first = np.concatenate(([True], np.diff(at) > 0))
        at, values = at[first], values[first]

    expected = max(1, int(window_seconds // interval_seconds))
    received = int(at.size)
    completeness = min(1.0, received / expected)
    staleness = float(now - at[-1]) if received else float(window_seconds)
    flat_seconds = longest_flat_run(at, values, thresholds.flat_epsilon)
    flat_line = flat_seconds >= thresholds.flat_intervals * interval_seconds
    if received:
        low = -np.inf if valid_min is None else valid_min
        high = np.inf if valid_max is None else valid_max
        outside = ~((values >= low) & (values <= high))  # NaN counts as outside
        out_of_range = float(np.count_nonzero(outside) / received)
    else:
        out_of_range = 0.0

    allowed = thresholds.max_stale_intervals * interval_seconds
    freshness = 1.0 if staleness <= allowed else allowed / staleness
    score = completeness * freshness * (1.0 - out_of_range)
    if flat_line:
        score *= thresholds.flat_factor
    usable = (
        received > 0
        and completeness >= thresholds.min_completeness
        and staleness <= allowed
        and not flat_line
        and out_of_range <= thresholds.max_out_of_range
    )
    return Quality(
        received=received,
        expected=expected,
        completeness=completeness,
        staleness_seconds=staleness,
        flat_seconds=flat_seconds,
        flat_line=flat_line,
        out_of_range=out_of_range,
        score=float(min(1.0, max(0.0, score))),
        usable=usable,
    )
